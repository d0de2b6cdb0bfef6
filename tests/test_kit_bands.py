"""Bands that go through WeasyPrint (an SVG logo, scripts Inter lacks) are kept between
builds: a kit re-stamped for a changed member draws no band, and the kit is the same as
one whose band was drawn afresh."""

from __future__ import annotations

import hashlib
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

from conftest import AS_OF, MINIMAL, make_catalog, run_cli
from salesplay.families import base
from salesplay.families import kits as family
from salesplay.render import band, pdf

PARTNER = "blue-river"  # its logo is an SVG: its band goes through WeasyPrint
ZIP = f"kits/{PARTNER}.zip"
BANDS = f"{family.CACHE}/bands-kits-{PARTNER}.blobs"


def _blank(_renderer: object, job: pdf.RenderJob) -> tuple[bytes, list[str]]:
    """A one-page stand-in for a member PDF, naming the page it stands for."""
    doc = pikepdf.new()
    doc.add_blank_page(page_size=(595.28, 841.89))
    doc.docinfo["/Subject"] = hashlib.sha256(job.html.encode()).hexdigest()
    buf = io.BytesIO()
    doc.save(buf, deterministic_id=True)
    return buf.getvalue(), []


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The minimal catalog with blue-river's kit built once (member PDFs are stand-ins;
    bands and decks are real)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "render_job", _blank)
        patch.setattr(base, "_pdf_renderer", lambda: None)
        root = tmp_path_factory.mktemp("bands")
        make_catalog(root)
        _kit(root)
        yield root


@pytest.fixture
def project(built: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(pdf, "render_job", _blank)
    monkeypatch.setattr(base, "_pdf_renderer", lambda: None)
    yield built
    shutil.rmtree(built / "plays")
    shutil.copytree(MINIMAL, built / "plays")


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names on every band drawn from here on."""
    names: list[str] = []
    real = band.BandMaker.band

    def counting(self: band.BandMaker, brand: band.Brand, **kwargs: str) -> bytes:
        names.append(brand.name)
        return real(self, brand, **kwargs)

    monkeypatch.setattr(band.BandMaker, "band", counting)
    return names


def _kit(project: Path) -> bytes:
    done = run_cli("kit", PARTNER, "--as-of", AS_OF, "--jobs", "1", cwd=project)
    assert done.code == 0, done.stderr
    return (project / "build" / ZIP).read_bytes()


def _edit_play(project: Path) -> None:
    play = project / "plays" / "plays" / "backup-modernization.yaml"
    text = play.read_text(encoding="utf-8")
    play.write_text(text.replace("name: Backup modernization", "name: Backup renewal"))


def test_a_kit_remade_for_a_changed_member_draws_no_band(project: Path, drawn: list[str]) -> None:
    kept = project / "build" / BANDS
    assert kept.is_file()
    before = _kit(project)
    _edit_play(project)
    kit = _kit(project)
    assert kit != before  # the card changed, and the kit with it
    assert drawn == []
    # the same kit as with its band drawn again
    kept.unlink()
    (project / "build" / ZIP).unlink()
    assert _kit(project) == kit
    assert drawn == ["Blue River IT"]
    assert kept.is_file()


@pytest.mark.parametrize(
    "damage",
    [b"", b"garbage", None],
    ids=["empty", "garbage", "truncated"],
)
def test_a_damaged_band_file_means_drawing_it_again(
    project: Path, drawn: list[str], damage: bytes | None
) -> None:
    kit = _kit(project)
    kept = project / "build" / BANDS
    data = kept.read_bytes()
    kept.write_bytes(data[: len(data) // 2] if damage is None else damage)
    (project / "build" / ZIP).unlink()
    assert _kit(project) == kit
    assert drawn == ["Blue River IT"]
    assert kept.read_bytes() == data


def test_a_partner_edit_draws_its_band_again(project: Path, drawn: list[str]) -> None:
    _kit(project)
    path = project / "plays" / "partners" / f"{PARTNER}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Blue River IT", "Blue River Data"))
    _kit(project)
    assert drawn == ["Blue River Data"]
    # one band file a kit: the old band is not kept beside the new one
    assert len(list((project / "build" / family.CACHE).glob("bands-*"))) == 1
