"""Which target functions of a page's CSS would read across the parts of a chaptered page."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from salesplay.render.theme import css_text

#: a target function and what names its target: a literal url(…), an attribute, or else
_TARGET = re.compile(
    r"target-(counters?|text)\s*\(\s*(?:(url\s*\()|attr\s*\(\s*([-\w]+))?", re.IGNORECASE
)
#: at-rules whose content is style rules, matched as if they were not there (errs on the
#: side of whole: a print page honours @media print, not @media screen)
_GROUPS = frozenset({"media", "supports", "layer", "container", "scope", "document"})


@dataclass(frozen=True)
class TargetRule:
    """A style rule whose declarations use a target function: its selector, and for each
    function the attribute naming its target and whether it reads text (`target-text()`)
    or a counter (`target-counter()`, `target-counters()`). `attribute` None: the target is
    not an element's attribute (a literal url(), a margin box), so any page may need it."""

    selector: str
    uses: tuple[tuple[str | None, bool], ...]  # (attribute, reads text)

    @property
    def anywhere(self) -> bool:
        return any(attribute is None for attribute, _ in self.uses)


@functools.lru_cache(maxsize=32)  # a worker renders many pages with the theme's sheets
def target_rules(css: str) -> tuple[TargetRule, ...]:
    """The rules of stylesheet text that use a target function, in order."""
    import tinycss2

    text = css_text(css)
    if not _TARGET.search(text):
        return ()  # most sheets: no parse
    return tuple(_rules(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)))


def _rules(nodes: Iterable[Any]) -> Iterator[TargetRule]:
    import tinycss2

    for node in nodes:
        if node.type == "qualified-rule":
            uses = _uses(tinycss2.serialize(node.content))
            if uses:
                yield TargetRule(tinycss2.serialize(node.prelude).strip(), uses)
        elif node.type == "at-rule" and node.content is not None:
            inner = tinycss2.serialize(node.content)
            if not _TARGET.search(inner):
                continue
            if node.lower_at_keyword in _GROUPS:
                yield from _rules(
                    tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True)
                )
            else:  # @page and its margin boxes: not an element's, so wherever it lands
                yield TargetRule("*", ((None, True),))


def _uses(declarations: str) -> tuple[tuple[str | None, bool], ...]:
    return tuple(
        (None if url or not attribute else attribute.lower(), kind.lower() == "text")
        for kind, url, attribute in _TARGET.findall(declarations)
    )


def crosses(page: str, chapters: int, running: frozenset[str], rules: Sequence[TargetRule]) -> bool:
    """Whether a target function of `rules` on `page` reads across its parts: an element
    of a chapter (or a running element, which every part holds) it applies to names an
    anchor outside its chapter, which a part rendered alone does not hold; or one in the
    front matter names a chapter's anchor and reads its text, which a chapter's stand-in
    does not hold (its page numbers hold). `page` holds its body's running elements (those
    of a class in `running`), front matter and a last `<main>` of `chapters` sections;
    parsed otherwise, it is taken to cross (rendered whole)."""
    if not rules:
        return False
    if any(rule.anywhere for rule in rules):
        return True
    import cssselect2
    import lxml.html

    try:
        root = lxml.html.document_fromstring(page)
    except (ValueError, lxml.etree.ParserError):
        return True
    body = root.find("body")
    tops = [e for e in body if isinstance(e.tag, str)] if body is not None else []
    if not tops or tops[-1].tag != "main":
        return True
    sections = [e for e in tops[-1] if isinstance(e.tag, str)]
    if len(sections) != chapters:
        return True
    runs = [e for e in tops[:-1] if running & set((e.get("class") or "").split())]
    front = [e for e in tops[:-1] if e not in runs]
    ids = [{i for e in part for i in _ids(e)} for part in (front, *([s] for s in sections))]
    every = set().union(*ids)
    # each place's elements, the anchors outside it, and whether it is the front matter
    places = [(runs, every, False), (front, every - ids[0], True)]
    places += [
        ([section], every - own, False) for section, own in zip(sections, ids[1:], strict=True)
    ]
    wrap = _Wrapper(cssselect2.ElementWrapper.from_html_root(root))
    for rule in rules:
        try:
            selectors = cssselect2.compile_selector_list(rule.selector)
        except cssselect2.SelectorError:
            continue  # WeasyPrint drops the rule
        except Exception:  # e.g. `:nth-of-type(2n+)`, which WeasyPrint fails on too
            return True  # whole: its render says what it makes of the selector
        for attribute, text in rule.uses:
            assert attribute is not None
            for elements, outside, is_front in places:
                if is_front and not text:
                    continue  # the stand-ins' anchors are on the chapters' pages
                for element in (x for e in elements for x in e.iter()):
                    value = element.get(attribute) if isinstance(element.tag, str) else None
                    if not value or not value.startswith("#") or value[1:] not in outside:
                        continue
                    if any(s.test(wrap(element)) for s in selectors):
                        return True
    return False


class _Wrapper:
    """cssselect2's wrapper of an element, made along its path from the root only (wrapping
    a 30-page playbook whole takes longer than the rest of the check)."""

    def __init__(self, root: Any) -> None:
        self._of = {root.etree_element: root}

    def __call__(self, element: Any) -> Any:
        if element not in self._of:
            parent = self(element.getparent())
            self._of.update((child.etree_element, child) for child in parent.iter_children())
        return self._of[element]


def _ids(element: Any) -> Iterator[str]:
    for e in element.iter():
        if isinstance(e.tag, str) and e.get("id"):
            yield e.get("id")
