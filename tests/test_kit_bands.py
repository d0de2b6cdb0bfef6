"""What a band needs from WeasyPrint is kept between builds: the page of an SVG logo (a
band in Inter is drawn around it without WeasyPrint), or the whole band when Inter cannot
show its text. A kit re-stamped for a changed member, or for a partner's new name, lays
out nothing, and the kit is the same as one whose logo or band was laid out afresh."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import kit_standins as standins
from kit_standins import PARTNER, ZIP
from salesplay.families import kits as family
from salesplay.render import band, stamp

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
    """What WeasyPrint laid out for a band from here on: "logo" for an SVG logo's page,
    "Partner band: <name>" for a whole band."""
    titles: list[str] = []
    real = band.BandMaker._render

    def counting(self: band.BandMaker, page_html: str, title: str) -> bytes:
        titles.append(title)
        return real(self, page_html, title)

    monkeypatch.setattr(band.BandMaker, "_render", counting)
    return titles


@pytest.fixture
def painted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The partners whose band was drawn in Inter (no WeasyPrint) from here on, and
    "parsed" for each band parsed to be stamped (PreparedBand.of)."""
    names: list[str] = []
    real, parse = band.BandMaker._drawn_band, stamp.PreparedBand.of.__func__

    def counting(self: band.BandMaker, brand: band.Brand, rgb: band.RGB) -> bytes:
        names.append(brand.name)
        return real(self, brand, rgb)

    def parsing(cls: type[stamp.PreparedBand], data: bytes) -> stamp.PreparedBand:
        names.append("parsed")
        return parse(cls, data)

    monkeypatch.setattr(band.BandMaker, "_drawn_band", counting)
    monkeypatch.setattr(stamp.PreparedBand, "of", classmethod(parsing))
    return names


def _edit_play(project: Path) -> None:
    play = project / "plays" / "plays" / "backup-modernization.yaml"
    text = play.read_text(encoding="utf-8")
    play.write_text(text.replace("name: Backup modernization", "name: Backup renewal"))


def test_a_kit_remade_for_a_changed_member_draws_no_band(
    project: Path, drawn: list[str], painted: list[str]
) -> None:
    kept = project / "build" / BANDS
    assert kept.is_file()
    before = standins.kit(project)
    _edit_play(project)
    kit = standins.kit(project)
    assert kit != before  # the card changed, and the kit with it
    # the band in Inter is read back whole and ready to stamp, its logo not laid out again
    assert drawn == [] and painted == []
    # the same kit as with its band drawn again
    kept.unlink()
    (project / "build" / ZIP).unlink()
    assert standins.kit(project) == kit
    assert drawn == ["logo"] and painted
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
    assert drawn == ["logo"]
    assert kept.read_bytes() == data


def _rename(project: Path, name: str) -> None:
    path = project / "plays" / "partners" / f"{PARTNER}.yaml"
    text = path.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("name:"))
    path.write_text(text.replace(old, f"name: {name}"), encoding="utf-8")


def test_a_damaged_ready_band_means_parsing_the_band_again(
    project: Path, painted: list[str]
) -> None:
    kit = standins.kit(project)
    path = project / "build" / BANDS
    blobs = family._blobs_of(BANDS, path.read_bytes())
    assert blobs is not None
    keys = [k.decode() for k in blobs[0::2]]
    ready = [i for i, k in enumerate(keys) if k.endswith(family.PREPARED)]
    assert ready  # the file holds the band ready to stamp
    for i in ready:
        blobs[2 * i + 1] = b"salesplay prepared band 1\n" + b"\xff" * 40  # checked, then refused
    path.write_bytes(family._blob_file(BANDS, blobs))
    _edit_play(project)
    assert standins.kit(project) != kit
    assert "parsed" in painted and all(n == "parsed" for n in painted)  # parsed, not drawn


def test_a_partner_edit_draws_its_band_around_the_kept_logo(
    project: Path, drawn: list[str]
) -> None:
    standins.kit(project)
    _rename(project, "Blue River Data")
    renamed = standins.kit(project)
    assert drawn == []  # the logo's page is kept; the band in Inter is drawn around it
    # one band file a kit, and the same kit as one whose logo was laid out afresh
    assert len(list((project / "build" / family.CACHE).glob("bands-*"))) == 1
    (project / "build" / BANDS).unlink()
    (project / "build" / ZIP).unlink()
    assert standins.kit(project) == renamed
    assert drawn == ["logo"]


def test_a_band_inter_cannot_show_is_laid_out_once_and_kept(
    project: Path, drawn: list[str]
) -> None:
    _rename(project, "北京 Blue River")
    kit = standins.kit(project)
    assert drawn == ["Partner band: 北京 Blue River"]
    _edit_play(project)
    assert standins.kit(project) != kit
    assert drawn == ["Partner band: 北京 Blue River"]  # kept, not laid out again


def test_a_text_is_clipped_as_a_character_at_a_time_would_in_logarithmic_time() -> None:
    """The cut was made a character at a time, each try measured whole: quadratic, and a
    180,000-character partner name held a kit's build past five minutes."""
    import random

    def old(width: Callable[[str, float], float], text: str, size: float, max_w: float) -> str:
        while width(text, size) > max_w + band._FIT_EPSILON_PT and len(text) > 1:
            text = text[:-2] + "…"
        return text

    calls = 0

    def width(text: str, size: float) -> float:
        nonlocal calls
        calls += 1
        return sum(size * (0.3 + (ord(c) % 7) / 10) for c in text)

    rng = random.Random(7)
    for _ in range(400):
        text = "".join(rng.choice("aWi. …é") for _ in range(rng.randint(0, 40)))
        max_w = rng.uniform(0, 200)
        assert band._clipped(width, text, 10.0, max_w) == old(width, text, 10.0, max_w)
    calls = 0
    long = "Blue River " + "Wi " * 60_000
    assert band._clipped(width, long, 10.0, 300.0).endswith("…")
    assert calls < 40  # tries, each of a text no longer than the name
