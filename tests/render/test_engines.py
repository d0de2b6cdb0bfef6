"""Format engines each have one implementation: zips, colours, theme lookup, kind registry."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from salesplay import load
from salesplay.models import DOCUMENT_KINDS, ENTITY_FOLDERS, MODELS
from salesplay.render import archive, colour
from salesplay.render.templates import THEME_DIR, find_file, first_file, theme_file
from salesplay.resolve import Catalog

DATE = dt.date(2026, 11, 1)


def test_repack_keeps_order_and_deflates_every_member_at_a_fixed_time() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as src:
        src.writestr("[Content_Types].xml", b"<types/>" * 50)
        src.writestr("ppt/media/image1.png", b"\x89PNG" * 50)
        src.writestr("a.xml", b"<a/>" * 50)
    data = archive.repack(buffer.getvalue(), DATE)
    with zipfile.ZipFile(io.BytesIO(data)) as out:
        infos = out.infolist()
    assert [i.filename for i in infos] == ["[Content_Types].xml", "ppt/media/image1.png", "a.xml"]
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}
    assert {i.date_time for i in infos} == {(2026, 11, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {archive.PACKAGE_MODE}
    assert archive.repack(data, DATE) == data


def test_kit_zips_and_packages_share_one_date_rule() -> None:
    assert archive.zip_date_time(dt.date(1975, 6, 15)) == (1980, 1, 1, 0, 0, 0)
    with pytest.raises(ValueError, match="after 2107"):
        archive.zip_date_time(dt.date(2108, 1, 1))
    kit = archive.deterministic_zip([("b.pdf", b"%PDF"), ("a.txt", b"x")], date=DATE)
    with zipfile.ZipFile(io.BytesIO(kit)) as out:
        infos = out.infolist()
    assert [i.filename for i in infos] == ["a.txt", "b.pdf"]
    assert [i.compress_type for i in infos] == [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]
    assert {i.external_attr >> 16 for i in infos} == {archive.FILE_MODE}


def test_splice_replaces_one_member_and_copies_the_others_byte_for_byte() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as src:
        src.writestr("keep.xml", b"<keep/>" * 20)
        src.writestr("slide.xml", b"<old/>")
    base = archive.SpliceBase.parse(archive.repack(buffer.getvalue(), DATE))
    assert archive.splice(base, {}).data == base.data
    spliced = archive.splice(base, {"slide.xml": b"<new/>"}).data
    with zipfile.ZipFile(io.BytesIO(spliced)) as out:
        assert out.testzip() is None
        assert out.read("slide.xml") == b"<new/>"
        assert out.read("keep.xml") == b"<keep/>" * 20
        assert [i.date_time for i in out.infolist()] == [(2026, 11, 1, 0, 0, 0)] * 2


@pytest.mark.parametrize("bad", ["blue", "#abc", "0B5FFF", "#0B5FFF\n", "#0B5FFG", ""])
def test_one_colour_parser_refuses_anything_but_rrggbb(bad: str) -> None:
    with pytest.raises(ValueError, match="#RRGGBB"):
        colour.parse(bad)


def test_colour_forms() -> None:
    assert colour.parse("#0b5fff") == (11, 95, 255)
    assert colour.unit("#FF0000") == (1.0, 0.0, 0.0)
    assert colour.hex_digits("#0b5fff") == "0B5FFF"
    assert colour.mix("#000000", "#FFFFFF", 0.5) == "#808080"


def test_theme_lookup_prefers_the_project(tmp_path: Path) -> None:
    (tmp_path / "style.css").write_text("body {}")
    assert theme_file(tmp_path, "style.css") == tmp_path / "style.css"
    assert find_file(tmp_path, "deck.pptx") == THEME_DIR / "deck.pptx"
    assert theme_file(None, "nothing.css") == THEME_DIR / "nothing.css"
    assert find_file(None, "nothing.css") is None
    assert first_file([tmp_path, THEME_DIR], "style.css") == tmp_path / "style.css"


def test_one_kind_registry_feeds_loader_models_and_catalog() -> None:
    assert list(MODELS) == [k.name for k in DOCUMENT_KINDS]
    assert dict(load.KIND_DIRS) == {folder: kind for kind, folder in ENTITY_FOLDERS.items()}
    assert set(load.TOP_FILES) == set(MODELS) - set(ENTITY_FOLDERS)
    tables = {f.name for f in dataclasses.fields(Catalog)}
    assert set(ENTITY_FOLDERS.values()) <= tables
