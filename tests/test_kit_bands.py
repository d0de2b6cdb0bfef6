"""Bands that go through WeasyPrint (an SVG logo, scripts Inter lacks) are kept between
builds: a kit re-stamped for a changed member draws no band, and the kit is the same as
one whose band was drawn afresh."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import kit_standins as standins
from kit_standins import PARTNER, ZIP
from salesplay.families import kits as family
from salesplay.render import band

BANDS = f"{family.CACHE}/bands-kits-{PARTNER}.blobs"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The minimal catalog with blue-river's kit built once (member PDFs are stand-ins;
    bands and decks are real)."""
    with standins.built(tmp_path_factory, "bands") as root:
        yield root


@pytest.fixture
def project(built: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    standins.stand_in(monkeypatch)
    yield built
    standins.restore(built)


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


def _edit_play(project: Path) -> None:
    play = project / "plays" / "plays" / "backup-modernization.yaml"
    text = play.read_text(encoding="utf-8")
    play.write_text(text.replace("name: Backup modernization", "name: Backup renewal"))


def test_a_kit_remade_for_a_changed_member_draws_no_band(project: Path, drawn: list[str]) -> None:
    kept = project / "build" / BANDS
    assert kept.is_file()
    before = standins.kit(project)
    _edit_play(project)
    kit = standins.kit(project)
    assert kit != before  # the card changed, and the kit with it
    assert drawn == []
    # the same kit as with its band drawn again
    kept.unlink()
    (project / "build" / ZIP).unlink()
    assert standins.kit(project) == kit
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
    kit = standins.kit(project)
    kept = project / "build" / BANDS
    data = kept.read_bytes()
    kept.write_bytes(data[: len(data) // 2] if damage is None else damage)
    (project / "build" / ZIP).unlink()
    assert standins.kit(project) == kit
    assert drawn == ["Blue River IT"]
    assert kept.read_bytes() == data


def test_a_partner_edit_draws_its_band_again(project: Path, drawn: list[str]) -> None:
    standins.kit(project)
    path = project / "plays" / "partners" / f"{PARTNER}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Blue River IT", "Blue River Data"))
    standins.kit(project)
    assert drawn == ["Blue River Data"]
    # one band file a kit: the old band is not kept beside the new one
    assert len(list((project / "build" / family.CACHE).glob("bands-*"))) == 1
