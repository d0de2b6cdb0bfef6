"""A partner's name and contact go into its co-branded decks as XML text, whatever they hold."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from conftest import AS_OF, make_catalog, replace_in, run_cli


def test_a_partners_name_with_markup_characters_is_text_in_its_decks(tmp_path: Path) -> None:
    name = "Blue & River <IT> \"A\" 'B'"
    make_catalog(
        tmp_path,
        replace_in("partners/blue-river.yaml", "name: Blue River IT", f"name: {json.dumps(name)}"),
    )
    done = run_cli("kit", "blue-river", "--as-of", AS_OF, cwd=tmp_path)
    assert done.code == 0, done.stderr
    decks = 0
    with zipfile.ZipFile(tmp_path / "build/kits/blue-river.zip") as kit:
        for member in kit.namelist():
            if not member.endswith(".pptx"):
                continue
            decks += 1
            with zipfile.ZipFile(io.BytesIO(kit.read(member))) as deck:
                texts = [
                    "".join(ET.fromstring(deck.read(n)).itertext())  # parses: well-formed
                    for n in deck.namelist()
                    if n.startswith("ppt/slides/slide") and n.endswith(".xml")
                ]
            assert any(name in text for text in texts), member
    assert decks
