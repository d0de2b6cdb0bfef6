"""A build decodes each catalog image once; later builds read it back, never trusting it blindly."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import AS_OF, base_text, make_catalog, run_cli
from salesplay import imagecache, images
from salesplay.imagecache import FOLDER, ImageCache
from salesplay.write import write_output

ROOT = Path(__file__).resolve().parent.parent
SVG = (ROOT / "plays/assets/northwind.svg").read_bytes()


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = images.check_image

    def counted(
        data: bytes, suffix: str, *, publish: bool = False, side: int = images.PUBLISH_SIDE
    ) -> images.Checked:
        calls.append(suffix)
        return real(data, suffix, publish=publish, side=side)

    monkeypatch.setattr(imagecache, "check_image", counted)
    return calls


def _saved(tmp_path: Path) -> ImageCache:
    first = ImageCache(tmp_path)
    first.check(SVG, ".svg")
    for rel, data in first.pending():
        write_output(tmp_path, rel, data)
    return first


def test_a_saved_entry_is_read_back_instead_of_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = images.check_image(SVG, ".svg")
    _saved(tmp_path)
    calls = _counting(monkeypatch)
    again = ImageCache(tmp_path)
    back = again.check(SVG, ".svg")
    assert back == expected
    assert calls == []
    # the digest a kit's key names it by: the entry's, checked when read, is the PNG's
    assert back.digest == expected.digest == hashlib.sha256(expected.png).hexdigest()
    assert list(again.pending()) == []  # nothing new to save
    # other bytes, or the same bytes under another suffix, are other entries
    with pytest.raises(images.ImageError):
        again.check(SVG, ".png")
    assert calls == [".png"]


def test_an_entry_kept_by_other_checks_is_decoded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry is named by the checks it passed: a salesplay whose image checks changed
    (one that now refuses an SVG's Arabic text) decodes the logo again rather than trust
    what an earlier one kept."""
    _saved(tmp_path)
    calls = _counting(monkeypatch)
    ImageCache(tmp_path).check(SVG, ".svg")
    assert calls == []
    monkeypatch.setattr(imagecache, "checker", lambda: "other checks")
    ImageCache(tmp_path).check(SVG, ".svg")
    assert calls == [".svg"]


def test_each_side_is_its_own_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A logo checked for a partner (PARTNER_SIDE) and for the company (PUBLISH_SIDE) are two
    entries, and neither is read back for the other: an entry longer than the side it is
    read for is decoded again."""
    first = ImageCache(tmp_path)
    partner = first.check(SVG, ".svg", images.PARTNER_SIDE)
    company = first.check(SVG, ".svg")
    assert max(partner.png_size) == images.PARTNER_SIDE
    assert max(company.png_size) == images.PUBLISH_SIDE
    for rel, data in first.pending():
        write_output(tmp_path, rel, data)
    assert len(list((tmp_path / FOLDER).iterdir())) == 2
    calls = _counting(monkeypatch)
    again = ImageCache(tmp_path)
    assert again.check(SVG, ".svg", images.PARTNER_SIDE) == partner
    assert again.check(SVG, ".svg") == company
    assert calls == []
    entry = imagecache._encode_entry(company)
    assert imagecache._decode_entry(entry) == company
    assert imagecache._decode_entry(entry, images.PARTNER_SIDE) is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: b"not json\n" + blob.partition(b"\n")[2],
        lambda blob: blob[:-40],  # a truncated PNG still declares its size
        lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]),
        lambda blob: blob.replace(b'"png_size": [', b'"png_size": [9999, ', 1),
        lambda blob: blob.partition(b"\n")[0] + b"\nGIF89a",
        lambda blob: b"",
        # read back, these raised RecursionError and OverflowError: "internal error"
        lambda blob: b"[" * 100_000 + b"\n" + blob.partition(b"\n")[2],
        lambda blob: re.sub(rb'"size": \[\d+', b'"size": [1e400', blob, count=1),
    ],
)
def test_a_corrupt_or_implausible_entry_is_decoded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: object
) -> None:
    expected = images.check_image(SVG, ".svg")
    first = _saved(tmp_path)
    (name,) = first.used
    path = tmp_path / name
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    calls = _counting(monkeypatch)
    again = ImageCache(tmp_path)
    assert again.check(SVG, ".svg") == expected
    assert calls == [".svg"]
    assert [n for n, _ in again.pending()] == [name]  # saved again, whole


def test_an_entry_reached_through_a_link_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _saved(tmp_path)
    (name,) = first.used
    moved = tmp_path / "elsewhere.bin"
    (tmp_path / name).rename(moved)
    (tmp_path / name).symlink_to(moved)
    calls = _counting(monkeypatch)
    ImageCache(tmp_path).check(SVG, ".svg")
    assert calls == [".svg"]


def test_builds_keep_the_images_they_use_and_clean_decodes_again(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "plays", tmp_path / "plays")
    args = ("build", "--as-of", AS_OF, "--only", "site")
    first = run_cli(*args, cwd=tmp_path)
    assert first.code == 0, first.stderr
    folder = tmp_path / "build" / FOLDER
    kept = sorted(p.name for p in folder.iterdir())
    assert kept, "the build kept no decoded image"
    # an entry no image of the catalog uses goes at the next build
    (folder / ("0" * 64 + ".bin")).write_bytes(b"{}\n")
    logo = tmp_path / "plays/assets/northwind.svg"
    logo.write_bytes(logo.read_bytes().replace(b"</svg>", b"<!-- edited --></svg>"))
    second = run_cli(*args, cwd=tmp_path)
    assert second.code == 0, second.stderr
    now = sorted(p.name for p in folder.iterdir())
    assert "0" * 64 + ".bin" not in now
    assert len(now) == len(kept) and now != kept  # the edited logo's entry replaced the old


def test_prefetch_decodes_on_workers_what_check_then_finds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = SVG.replace(b"</svg>", b"<!-- another --></svg>")
    cache = ImageCache(None, jobs=2)
    cache.prefetch([(SVG, ".svg"), (other, ".svg"), (b"not an image", ".png"), (SVG, ".svg")])
    assert len(cache.new) == 2  # the broken one is left for check to report
    calls = _counting(monkeypatch)
    assert cache.check(SVG, ".svg") == images.check_image(SVG, ".svg")
    assert cache.check(other, ".svg").png == images.check_image(other, ".svg").png
    with pytest.raises(images.ImageError):
        cache.check(b"not an image", ".png")
    assert calls == [".png"]  # only the broken one was decoded here


def test_a_warm_build_reads_each_entry_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from salesplay import write

    first = _saved(tmp_path)
    (name,) = first.used
    reads: list[str] = []
    real = write.read_output

    def counted(out: Path, rel: str, limit: int = 16 << 20) -> bytes:
        reads.append(rel)
        return real(out, rel, limit)

    monkeypatch.setattr(write, "read_output", counted)
    again = ImageCache(tmp_path, jobs=2)
    again.prefetch([(SVG, ".svg")])  # finds it there: nothing to decode
    again.check(SVG, ".svg")
    assert reads == [name]


def _tree(folder: Path) -> list[tuple[str, int, int]]:
    return sorted(
        (str(p.relative_to(folder)), p.stat().st_mtime_ns, p.stat().st_size)
        for p in folder.rglob("*")
    )


def test_check_reuses_a_builds_decoded_logos_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "plays", tmp_path / "plays")
    built = run_cli(
        "build", "--as-of", AS_OF, "--only", "site", "--out", "site-build", cwd=tmp_path
    )
    assert built.code == 0, built.stderr
    before = _tree(tmp_path / "site-build")

    def refuse(data: bytes, suffix: str, **_options: object) -> images.Checked:
        raise images.ImageError("was decoded again")

    # decoding (in this process or in prefetch's forked workers) now fails: a check that
    # passes read every logo from the build's entries
    monkeypatch.setattr(imagecache, "check_image", refuse)
    reused = run_cli("check", "--as-of", AS_OF, "--out", "site-build", cwd=tmp_path)
    assert reused.code == 0, reused.stderr
    assert "was decoded again" not in reused.stderr
    assert _tree(tmp_path / "site-build") == before  # read, never written
    # without that build (the default --out, build/, does not exist) every logo is decoded
    fresh = run_cli("check", "--as-of", AS_OF, cwd=tmp_path)
    assert fresh.code == 1
    assert "was decoded again" in fresh.stderr
    assert not (tmp_path / "build").exists()


def test_check_draws_each_svg_but_encodes_no_png(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cairocffi
    import cairosvg

    checked = images.check_image(SVG, ".svg")
    width, height = checked.png_size
    expected = cairosvg.svg2png(bytestring=SVG, output_width=width, output_height=height)
    encoded: list[int] = []
    real = cairocffi.ImageSurface.write_to_png

    def counted(surface: cairocffi.ImageSurface, target: object = None) -> object:
        encoded.append(surface.get_width())
        return real(surface, target)

    monkeypatch.setattr(cairocffi.ImageSurface, "write_to_png", counted)
    shutil.copytree(ROOT / "tests/roots/minimal", tmp_path / "plays")
    assert run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path).code == 0
    assert encoded == []  # `check` keeps no image: encoding a PNG would be wasted
    # the check still draws: a drawing that fails is refused there, not when published
    with monkeypatch.context() as broken:
        broken.setattr(cairosvg.surface.Surface, "draw", _refuse)
        with pytest.raises(images.ImageError, match="cannot be drawn: no such shape"):
            images.check_image(SVG, ".svg")
    assert encoded == []
    # the PNG, encoded when first asked for, is what CairoSVG itself makes of the SVG
    assert checked.png == expected and encoded == [width]
    assert checked.png is checked.png and encoded == [width]  # and once


def test_check_on_every_cpu_has_its_workers_send_back_no_png(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cairocffi

    log = tmp_path / "encoded"  # forked workers inherit the patch; a file reaches the test
    real = cairocffi.ImageSurface.write_to_png

    def counted(surface: cairocffi.ImageSurface, target: object = None) -> object:
        with log.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return real(surface, target)

    monkeypatch.setattr(cairocffi.ImageSurface, "write_to_png", counted)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    logo = (ROOT / "tests/roots/minimal/assets/partners/blue-river.svg").read_text()
    make_catalog(tmp_path, {
        "partners/red-rock.yaml": base_text("partners/red-rock.yaml")
        + "logo: assets/partners/red-rock.svg\n",
        "assets/partners/red-rock.svg": logo.replace("<svg ", "<svg data-mark='red' ", 1),
    })  # fmt: skip
    decoded = _counting(monkeypatch)
    done = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert done.code == 0, done.stderr
    # three SVGs, one checked here (the company's logo): the partners' two were checked on
    # the workers and not again here; no process encoded a PNG
    assert decoded == [".svg"]
    assert not log.exists()
    # a PNG asked for all the same is made, and is the one a build publishes
    cache = ImageCache(jobs=2, saves=False)
    data = (tmp_path / "plays/assets/partners/red-rock.svg").read_bytes()
    cache.prefetch([(SVG, ".svg"), (data, ".svg")])
    assert len(decoded) == 1 and not log.exists()
    assert cache.check(SVG, ".svg").png == images.check_image(SVG, ".svg").png


def _refuse(*_args: object) -> None:
    raise ValueError("no such shape")


def test_a_build_saves_its_workers_entries_as_they_made_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = SVG.replace(b"<svg ", b"<svg data-mark='other' ", 1)
    expected = {
        ImageCache()._name(data, ".svg"): imagecache._encode_entry(images.check_image(data, ".svg"))
        for data in (SVG, other)
    }
    cache = ImageCache(tmp_path, jobs=2)
    cache.prefetch([(SVG, ".svg"), (other, ".svg")])
    # saving encodes nothing again: the entries are the bytes the workers made
    monkeypatch.setattr(imagecache, "_encode_entry", _refuse)
    assert dict(cache.pending()) == expected


def test_a_build_draws_each_svg_once_and_publishes_what_a_check_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build publishes every logo it checks: an SVG is drawn once, encoded as drawn (it
    was drawn to check it and again to publish it: most of a cold build's first seconds on
    a thousand partners), and the PNG is the one a check makes when asked for it."""
    log = tmp_path / "drawn"  # forked workers inherit the patch; a file reaches the test
    real = images._draw_svg

    def counted(data: bytes, width: int, height: int, *, encode: bool) -> tuple[bytes, bool]:
        with log.open("a") as out:
            out.write(f"{encode}\n")
        return real(data, width, height, encode=encode)

    monkeypatch.setattr(images, "_draw_svg", counted)
    other = SVG.replace(b"<svg ", b"<svg data-mark='other' ", 1)
    for jobs in (1, 2):
        log.unlink(missing_ok=True)
        cache = ImageCache(tmp_path / f"out{jobs}", jobs=jobs, publishes=True)
        cache.prefetch([(SVG, ".svg"), (other, ".svg")])
        published = {n: e for n, e in cache.pending()}
        assert len(published) == (2 if jobs == 2 else 0)
        for data in (SVG, other):
            cache.check(data, ".svg")
        pending = dict(cache.pending())
        assert len(pending) == 2
        assert log.read_text().split() == ["True", "True"], jobs
    checked = images.check_image(other, ".svg")
    assert checked.png == images.check_image(other, ".svg", publish=True).png
    name = ImageCache()._name(other, ".svg")
    assert pending[name] == imagecache._encode_entry(checked)


def test_a_partner_using_the_company_logo_file_shares_its_larger_png(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The company's logo file named as a partner's logo too is decoded once, at the
    company's side (it spans every deck's title slide), and the partner's kit gets that
    PNG; a second partner with the first's file does not decode it again either."""
    import datetime as dt

    from salesplay.context import Context
    from salesplay.pipeline import check_catalog

    partner = tmp_path / "plays/partners/blue-river.yaml"
    root = make_catalog(tmp_path)
    text = partner.read_text("utf-8").replace(
        "logo: assets/partners/blue-river.svg", "logo: assets/northwind.svg"
    )
    partner.write_text(text, encoding="utf-8")
    (root / "partners/red-lake.yaml").write_text(
        text.replace("Blue River IT", "Red Lake IT"), encoding="utf-8"
    )
    calls = _counting(monkeypatch)
    ctx = Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF))
    cat = check_catalog(ctx)
    assert cat is not None and not ctx.reporter.errors
    assert calls == [".svg"]  # the company's check only
    assert max(cat.images["assets/northwind.svg"].png_size) == images.PUBLISH_SIDE
