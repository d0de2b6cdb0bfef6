"""The portal's script words and report findings come from the edition's labels."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from conftest import resolved
from salesplay import findings
from salesplay.edition import make_edition
from salesplay.labels import labels_for
from salesplay.render import portal
from salesplay.render.templates import make_env
from salesplay.resolve import Catalog
from salesplay.views import Edition

JS = Path(portal.__file__).parent.parent / "themes" / "default" / "portal" / "portal.js"


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    found, _ = resolved(tmp_path_factory.mktemp("portal-labels"))
    assert found is not None
    return found


def _edition(cat: Catalog, locale: str) -> Edition:
    return make_edition(cat, "rep", labels=labels_for(locale))


def _script_words(page: str) -> dict[str, object]:
    block = re.search(r'<script type="application/json" id="portal-labels">(.*?)</script>', page)
    assert block is not None
    words: dict[str, object] = json.loads(block.group(1))
    return words


def test_home_page_gives_the_script_its_words_in_the_page_language(cat: Catalog) -> None:
    ed = _edition(cat, "de")
    links = portal.page_links(ed)
    cards = portal.play_cards(ed, links.site)
    page = portal.home_page(make_env(None, labels=ed.labels), ed, cards)
    words = _script_words(page)
    assert words["fields"] == portal.script_labels(ed, len(cards))["fields"]
    assert words["competitor_card"] == "Wettbewerberkarte %(name)s"
    # the plural chosen for the page's total; the script fills in the matches
    assert words["matching"] == f"Treffer: %(shown)s von {len(cards)} Plays"
    assert 'placeholder="z. B. ' in page
    english = portal.script_labels(_edition(cat, "en"), 1)
    assert english["matching"] == "%(shown)s of 1 play match"
    assert english["intel"] == {
        "dismiss": "%(name)s — quick dismiss",
        "strengths": "%(name)s — strength",
        "weaknesses": "%(name)s — weak spot",
    }


def test_portal_script_has_no_english_words_of_its_own() -> None:
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", JS.read_text(), flags=re.S)
    strings = set(re.findall(r'"([^"\\]*(?:\\.[^"\\]*)*)"', code))
    # the words the script used to spell out itself
    english = {"Objection", "Talk track", "Competitor", "Customer result", "quick dismiss"}
    assert not strings & english
    assert not [s for s in strings if re.search(r"competitor card| of | plays?\b", s)]


def test_report_findings_are_in_the_page_language(cat: Catalog) -> None:
    ed = _edition(cat, "de")
    claim = next(iter(ed.differentiators.values()))
    stale = dataclasses.replace(claim, stale_days=12)
    ed.differentiators[claim.id] = stale
    sections = findings.report_sections(ed, [], Path("."), lambda p: "")
    details = [f.detail for s in sections for f in s.findings]
    assert any("zuletzt vor" in d and "Tagen geprüft" in d for d in details), details
    assert not any("last verified" in d for d in details)


def _caption(ed: Edition) -> str:
    page = portal.matrix_page(make_env(None, labels=ed.labels), ed)
    found = re.search(r'<caption id="matrix-caption">(.*?)</caption>', page)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("locale", "one", "more"),
    [
        ("en", "(1 claim, 1 competitor)", "(2 claims, 2 competitors)"),
        ("de", "(1 Aussage, 1 Wettbewerber)", "(2 Aussagen, 2 Wettbewerber)"),
        ("ar", "(ادعاء واحد، منافس واحد)", "(ادعاءان، منافسان)"),
    ],
)
def test_matrix_caption_counts_in_the_plural_the_number_needs(
    cat: Catalog, locale: str, one: str, more: str
) -> None:
    ed = _edition(cat, locale)
    assert len(ed.differentiators) >= 2 and len(ed.competitors) >= 2
    for n, said in ((1, one), (2, more)):
        few = dataclasses.replace(
            ed,
            differentiators=dict(list(ed.differentiators.items())[:n]),
            competitors=dict(list(ed.competitors.items())[:n]),
        )
        assert said in _caption(few), (n, _caption(few))
