"""python-pptx's XPath queries, compiled once: the same answers, the same decks."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation
from pptx.oxml import xmlchemy
from test_pptx_deck import _build, _every_layout

from salesplay.render import oxml


def _deck() -> bytes:
    """A deck of every layout, as the deck builder's own tests build it."""
    return _build(_every_layout())


def test_python_pptx_answers_with_compiled_queries() -> None:
    assert xmlchemy.BaseOxmlElement.xpath is oxml._xpath  # installed with the deck engine
    oxml._compiled.cache_clear()
    _deck()
    info = oxml._compiled.cache_info()
    assert info.currsize > 10 and info.hits > 10 * info.currsize  # few queries, asked often


def test_every_query_answers_as_lxml_does() -> None:
    """Each query a deck build asks, on every element of the built deck's slides, layouts
    and master: the compiled expression finds what python-pptx's own method finds."""
    prs = Presentation(io.BytesIO(_deck()))
    asked = _asked()
    assert len(asked) > 10
    trees = [s._element for s in prs.slides]
    trees += [layout._element for layout in prs.slide_layouts]
    trees += [prs.slide_master._element]
    compared = 0
    for tree in trees:
        for element in tree.iter():
            if not isinstance(element, xmlchemy.BaseOxmlElement):
                continue
            for expression in asked:
                assert oxml._xpath(element, expression) == oxml.ORIGINAL(element, expression)
                compared += 1
    assert compared > 1000


def _asked() -> list[str]:
    """The expressions a deck build compiles (recorded through the cache's function)."""
    seen: list[str] = []
    compile_one = oxml._compiled.__wrapped__

    def recording(expression: str) -> object:
        seen.append(expression)
        return compile_one(expression)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(oxml, "_compiled", recording)
        _deck()
    return sorted(set(seen))


def test_decks_are_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = _deck()
    monkeypatch.setattr(xmlchemy.BaseOxmlElement, "xpath", oxml.ORIGINAL)
    assert _deck() == compiled
