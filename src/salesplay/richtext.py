"""Catalog Markdown parsed once into tokens, rendered as safe HTML and as PowerPoint runs."""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

# Only schemes a rep can safely click; anything else (javascript:, data:, file:, relative
# paths that would break once a PDF or kit leaves the build tree) degrades to its label.
_SAFE_HREF = re.compile(r"^(?:https?://|mailto:)[^\s]", re.IGNORECASE)


@dataclass(frozen=True)
class Run:
    """A stretch of text with one formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None
    code: bool = False


@dataclass(frozen=True)
class Para:
    """A paragraph; bullet paragraphs are list items at nesting depth ``level``.

    A non-bullet paragraph inside a list item has ``level`` = the item's depth + 1, so that
    renderers can align it with the item's text. ``number`` is set for ordered-list items.
    """

    runs: tuple[Run, ...]
    bullet: bool = False
    level: int = 0
    number: int | None = None
    #: a slide never ends with it: it goes on with the paragraph after it (an objection,
    #: "They say: …", with its answer)
    keep_with_next: bool = False

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


class _Parser(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        # Accept every destination while parsing so an unsafe link still becomes a link
        # token; the renderers then drop its href and keep the label, not the raw syntax.
        return True


#: how deep blocks may nest in catalog text (a list and its item are two levels): past it,
#: markdown-it stops reading the text and the rest is lost, so `check` refuses deeper
#: (nested_too_deep); a printed page has room for it (families.base.MAX_DEPTH)
MAX_NESTING = 40


@functools.lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # store_labels: a reference link's token names its definition (for dropped_links)
    return _Parser("commonmark", {"html": False, "store_labels": True, "maxNesting": MAX_NESTING})


_INDENTED = re.compile(r"^(?: {2}|\t|> ?)", re.MULTILINE)


def nested_too_deep(md: str) -> int | None:
    """How deep `md`'s blocks nest when it is past what the outputs read (MAX_NESTING), else
    None: a bullet nested ten deep was an empty bullet in every card, deck and playbook."""
    if len(_INDENTED.findall(md)) < MAX_NESTING // 4:
        return None  # too few indented lines to nest that deep: the usual text, unparsed
    level = max((t.level for t in _deep_parser().parse(md)), default=0)
    return level if level >= MAX_NESTING else None


@functools.lru_cache(maxsize=1)
def _deep_parser() -> MarkdownIt:
    # reads past MAX_NESTING, to tell how deep a text goes
    return _Parser("commonmark", {"html": False, "maxNesting": 4 * MAX_NESTING})


def _tokens(md: str) -> list[Token]:
    return _parser().parse(md or "")


def safe_href(href: str | None) -> str | None:
    """``href`` if it is an http(s) or mailto link, else None."""
    if href and _SAFE_HREF.match(href.strip()):
        return href.strip()
    return None


class DroppedLink(NamedTuple):
    """A link the renderers drop (its label stays) and where in its Markdown it is written."""

    #: the target as the renderers read it (percent-encoded: ``docs/my%20guide.pdf``)
    href: str
    #: … decoded, as a marketer would write it (``docs/my guide.pdf``)
    written: str
    #: the lines [first, end) of the Markdown that hold the target: a reference link's
    #: definition (``[r]: docs/guide.pdf``), else the paragraph or item the link is in
    lines: tuple[int, int]
    #: an image (``![a diagram](flow.png)``): every one is dropped, its alt text kept
    image: bool = False


def dropped_links(md: str) -> list[DroppedLink]:
    """Each link in ``md`` that the renderers drop, in reading order: inline, reference and
    autolinks whose target :func:`safe_href` refuses, and every image (the outputs show its
    alt text), read from the tokens :func:`parse` reads (so never link syntax in a code
    span). An empty target (``[label]()``) is none."""
    if "](" not in md and "]:" not in md and "<" not in md:
        return []  # no link or image can be written without one of these
    env: dict[str, Any] = {}
    tokens = _parser().parse(md, env)
    definitions = env.get("references", {})
    dropped: list[DroppedLink] = []
    for tok in tokens:
        if tok.type != "inline":
            continue
        for child in tok.children or ():  # as _inline_runs reads them
            image = child.type == "image"
            href = (
                child.attrGet("src" if image else "href")
                if image or child.type == "link_open"
                else None
            )
            if not isinstance(href, str) or not href.strip():
                continue
            if not image and safe_href(href) is not None:
                continue
            definition = definitions.get(child.meta.get("label"), {})
            first, end = definition.get("map") or tok.map or (0, md.count("\n") + 1)
            written = _parser().normalizeLinkText(href)
            dropped.append(DroppedLink(href, written, (first, end), image))
    return dropped


def _inline_runs(children: Sequence[Token] | None) -> list[Run]:
    runs: list[Run] = []
    bold = italic = 0
    hrefs: list[str | None] = []
    for tok in children or ():
        href = hrefs[-1] if hrefs else None
        style = Run("", bool(bold), bool(italic), href)
        if tok.type == "text":
            runs.append(replace(style, text=tok.content))
        elif tok.type == "softbreak":
            runs.append(replace(style, text=" "))
        elif tok.type == "hardbreak":
            runs.append(replace(style, text="\n"))
        elif tok.type == "code_inline":
            runs.append(replace(style, text=tok.content, code=True))
        elif tok.type == "image":
            runs.extend(replace(r, href=href) for r in _inline_runs(tok.children))
        elif tok.type in ("strong_open", "strong_close"):
            bold += 1 if tok.type == "strong_open" else -1
        elif tok.type in ("em_open", "em_close"):
            italic += 1 if tok.type == "em_open" else -1
        elif tok.type == "link_open":
            target = tok.attrGet("href")
            hrefs.append(safe_href(target if isinstance(target, str) else None))
        elif tok.type == "link_close" and hrefs:
            hrefs.pop()
    return _merge(runs)


def _merge(runs: Sequence[Run]) -> list[Run]:
    merged: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if merged and replace(merged[-1], text="") == replace(run, text=""):
            merged[-1] = replace(run, text=merged[-1].text + run.text)
        else:
            merged.append(run)
    return merged


def _headed(runs: list[Run]) -> list[Run]:
    return _merge([replace(r, bold=True) for r in runs])


# Pure functions of their text, memoised: a page renders the same step texts many times.
@functools.lru_cache(maxsize=4096)
def parse(md: str) -> tuple[Para, ...]:
    """Paragraphs and flattened (nested) lists of ``md``."""
    paras: list[Para] = []
    depth = -1  # current list nesting depth; -1 outside lists
    numbers: list[int | None] = []  # next number per open list, None for bullet lists
    fresh_item: list[bool] = []  # whether the innermost item's first paragraph is pending
    heading = False
    for tok in _tokens(md):
        if tok.type in ("heading_open", "heading_close"):
            heading = tok.type == "heading_open"
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            start = tok.attrGet("start")
            ordered = tok.type == "ordered_list_open"
            numbers.append(int(start) if ordered and start is not None else 1 if ordered else None)
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            numbers.pop()
        elif tok.type == "list_item_open":
            fresh_item.append(True)
        elif tok.type == "list_item_close":
            fresh_item.pop()
            if numbers and numbers[-1] is not None:
                numbers[-1] += 1
        elif tok.type == "inline":
            runs = _inline_runs(tok.children)
            if heading:
                runs = _headed(runs)
            _add_block(paras, runs, depth, numbers, fresh_item)
        elif tok.type in ("code_block", "fence"):
            for line in tok.content.rstrip("\n").split("\n"):
                _add_block(paras, [Run(line, code=True)] if line else [], depth, numbers, [])
    return tuple(paras)


def _add_block(
    paras: list[Para],
    runs: list[Run],
    depth: int,
    numbers: list[int | None],
    fresh_item: list[bool],
) -> None:
    if fresh_item and fresh_item[-1]:
        fresh_item[-1] = False
        paras.append(Para(tuple(runs), bullet=True, level=depth, number=numbers[-1]))
    elif runs:
        paras.append(Para(tuple(runs), level=depth + 1))


@functools.lru_cache(maxsize=4096)
def plain(md: str) -> str:
    """Plain text of ``md``: one line per paragraph, no markup."""
    return "\n".join(p.text for p in parse(md)).strip()


def _runs_html(runs: Sequence[Run], rtl: bool = False) -> str:
    # Tags nest a > strong > em > code; on a change, close down to the first differing
    # level and reopen, which keeps the HTML well-formed whatever the Markdown nesting was.
    # Right to left, a left-to-right stretch (_ltr_marked) is a span outside them all.
    out: list[str] = []
    open_: list[tuple[str, object]] = []
    for run, ltr in _ltr_marked(runs) if rtl else ((run, False) for run in runs):
        want: list[tuple[str, object]] = [("span", True)] if ltr else []
        if run.href:
            want.append(("a", run.href))
        want += [(tag, True) for tag, on in (("strong", run.bold), ("em", run.italic)) if on]
        if run.code:
            want.append(("code", True))
        keep = 0
        while keep < min(len(open_), len(want)) and open_[keep] == want[keep]:
            keep += 1
        out.extend(f"</{tag}>" for tag, _ in reversed(open_[keep:]))
        for tag, value in want[keep:]:
            out.append(
                f'<a href="{escape(value)}">'
                if tag == "a"
                else '<span dir="ltr">'
                if tag == "span"
                else f"<{tag}>"
            )
        open_ = want
        out.append(breakable(run.text).replace("\n", "<br>\n"))
    out.extend(f"</{tag}>" for tag, _ in reversed(open_))
    return "".join(out)


def _ltr_marked(runs: Sequence[Run]) -> list[tuple[Run, bool]]:
    """`runs` cut where a stretch that reads left to right inside right-to-left text starts
    or ends (ltr_runs, over the paragraph's text: "Microsoft **365** Backup" is one), each
    piece with whether it is in one that must be set apart (_set_apart)."""
    text = "".join(run.text for run in runs)
    ends = set(itertools.accumulate(len(run.text) for run in runs))
    stretches: list[tuple[int, int]] = []
    at = 0
    for part, ltr in ltr_runs(text):
        crosses = any(at < end < at + len(part) for end in ends)
        if ltr and _set_apart(part, crosses):
            stretches.append((at, at + len(part)))
        at += len(part)
    pieces: list[tuple[Run, bool]] = []
    start = 0
    for run in runs:
        end = start + len(run.text)
        cuts = sorted({start, end, *(c for s in stretches for c in s if start < c < end)})
        for a, b in itertools.pairwise(cuts):
            ltr = any(s <= a and b <= e for s, e in stretches)
            pieces.append((replace(run, text=text[a:b]), ltr))
        start = end
    return pieces


def _set_apart(stretch: str, crosses_runs: bool) -> bool:
    """Whether a left-to-right stretch inside right-to-left text needs an element of its own
    direction: where Unicode's algorithm would reorder it (reorders_in_rtl), or where
    WeasyPrint, which sets an element's pieces from the right in a right-to-left line, would
    draw it as more than one piece: a mark inside it, or a word long enough for break
    chances (breakable). A Latin name ("Northwind Vault v2.1") reads right as it is, in a
    browser and a PDF, and is left as written: every extra element in an Arabic line is one
    more place where WeasyPrint 70 may break a line too early."""
    return crosses_runs or reorders_in_rtl(stretch) or bool(_LONG_WORD_RE.search(stretch))


def reorders_in_rtl(stretch: str) -> bool:
    """Whether Unicode's bidi algorithm alone may reorder `stretch`, a left-to-right stretch of
    ltr_runs, inside right-to-left text: one that starts with a digit or a sign, unless it
    is a lone number ("5,000", "99.9%"). The spaces in "+1 555 0199" or "500 TB" take the
    paragraph's direction ("0199 555 1+", "TB 500"); after a Latin letter, digits are read
    as left to right (UAX #9 rule W7) and "Microsoft 365" keeps its order."""
    kinds = [unicodedata.bidirectional(ch) for ch in stretch]
    lone_number = kinds[:1] == ["EN"] and all(k in ("EN", "CS", "ET") for k in kinds)
    return bool(kinds) and kinds[0] != "L" and not lone_number


#: a word longer than any line it may sit on (a part number, a token): given a chance to
#: break every LONG_WORD_PIECE characters (<wbr>), else it runs off the page or over the next
#: box. Not CSS overflow-wrap: WeasyPrint 70 with it broke "aud|it-ready" in an English line
#: of an Arabic card, where a normal word should have moved to the next line whole
LONG_WORD = 32
LONG_WORD_PIECE = 16
#: scripts written without spaces between words, (first, last) character: Thai, Lao,
#: Myanmar, Khmer (the decks' line estimate breaks them between letters, render.pptx_fit)
UNSPACED_SCRIPTS = (("\u0e00", "\u0eff"), ("\u1000", "\u109f"), ("\u1780", "\u17ff"))
#: those and CJK, Hangul and full-width forms break between their letters already: in a long
#: word only the other characters count
_UNSPACED = "".join(f"{first}-{last}" for first, last in UNSPACED_SCRIPTS) + (
    "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
)
_LONG_WORD_RE = re.compile(f"[^\\s{_UNSPACED}]{{{LONG_WORD + 1},}}")
#: a character of a script written without spaces between words
UNSPACED_RE = re.compile(f"[{_UNSPACED}]")
#: what a Japanese or Chinese line never starts with (kinsoku shori: small kana, the long
#: vowel mark, closing brackets and punctuation) and never ends with (opening brackets)
NO_LINE_START = frozenset(
    "、。，．・：；？！゛゜ヽヾゝゞ々ー‐）」』】〉》〕］｝〙〗"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    ")]}.,:;!?"
)
NO_LINE_END = frozenset("（「『【〈《〔［｛〘〖([{")


def kinsoku_cut(word: str, cut: int) -> int:
    """Where to break `word` near `cut` (its first `cut` characters on one line): earlier,
    so that the next line starts with no small kana or closing mark and this one ends with
    no opening bracket ("モダナイゼーシ / ョン" became "モダナイゼー / ション"); `cut` as it
    is when no earlier place will do."""
    for at in range(cut, 0, -1):
        if word[at] not in NO_LINE_START and word[at - 1] not in NO_LINE_END:
            return at
    return cut


def breakable(text: str) -> str:
    """`text` escaped for HTML, with <wbr> inside words longer than LONG_WORD characters;
    never before a combining mark or a joiner's partner, so a letter keeps its accents and
    an emoji sequence stays whole."""
    out: list[str] = []
    last = 0
    for found in _LONG_WORD_RE.finditer(text):
        out.append(str(escape(text[last : found.start()])))
        word, start, at = found.group(0), 0, LONG_WORD_PIECE
        while at < len(word):
            if _splits(word, at):
                out.append(str(escape(word[start:at])) + "<wbr>")
                start, at = at, at + LONG_WORD_PIECE
            else:
                at += 1
        out.append(str(escape(word[start:])))
        last = found.end()
    out.append(str(escape(text[last:])))
    return "".join(out)


def _splits(word: str, at: int) -> bool:
    ch, before = word[at], word[at - 1]
    joiners = "\u200d\ufe0e\ufe0f"
    return not (unicodedata.combining(ch) or ch in joiners or before == "\u200d")


def _html_blocks(tokens: Sequence[Token], rtl: bool = False) -> Iterator[str]:
    lists = 0  # open lists
    for at, tok in enumerate(tokens):
        # right to left, a paragraph outside lists that reads left to right is one
        ltr = rtl and not lists and _left_to_right(tokens, at)
        if tok.type == "paragraph_open" and not tok.hidden:
            yield '<p dir="ltr">' if ltr else "<p>"
        elif tok.type == "paragraph_close" and not tok.hidden:
            yield "</p>\n"
        elif tok.type == "heading_open":
            yield '<p dir="ltr"><strong>' if ltr else "<p><strong>"
        elif tok.type == "heading_close":
            yield "</strong></p>\n"
        elif tok.type == "bullet_list_open":
            lists += 1
            yield "<ul>\n"
        elif tok.type == "ordered_list_open":
            lists += 1
            start = tok.attrGet("start")
            yield f'<ol start="{int(start)}">\n' if start is not None else "<ol>\n"
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
            yield "</ul>\n" if tok.type == "bullet_list_close" else "</ol>\n"
        elif tok.type == "list_item_open":
            yield "<li>"
        elif tok.type == "list_item_close":
            yield "</li>\n"
        elif tok.type in ("blockquote_open", "blockquote_close"):
            yield "<blockquote>\n" if tok.type == "blockquote_open" else "</blockquote>\n"
        elif tok.type in ("code_block", "fence"):
            yield f"<pre><code>{escape(tok.content)}</code></pre>\n"
        elif tok.type == "inline":
            runs = _inline_runs(tok.children)
            if not rtl or direction_on("".join(run.text for run in runs), "rtl") != "ltr":
                yield _runs_html(runs, rtl)
            elif lists:
                # a list item's marker stays on the page's side: an item set left to right
                # as a whole had its bullet outside the list, in the margin (WeasyPrint)
                yield f'<span dir="ltr">{_runs_html(runs)}</span>'
            else:
                yield _runs_html(runs)


def _left_to_right(tokens: Sequence[Token], at: int) -> bool:
    """Whether the paragraph or heading opened at `tokens[at]`, on a right-to-left page,
    reads left to right: its text has Latin letters and no right-to-left one
    (direction_on). An English paragraph (a quote, a product's own words) inside Arabic
    Markdown was set right to left, its full stop at its left end."""
    if tokens[at].type not in ("paragraph_open", "heading_open") or tokens[at].hidden:
        return False
    following = tokens[at + 1] if at + 1 < len(tokens) else None
    if following is None or following.type != "inline":
        return False
    text = "".join(run.text for run in _inline_runs(following.children))
    return direction_on(text, "rtl") == "ltr"


@functools.lru_cache(maxsize=4096)
def first_strong(text: str) -> str | None:
    """ "rtl" or "ltr" after the first strong character of `text` (Unicode's P2), or None."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return None


_STRONG_RTL = frozenset({"R", "AL"})
#: a letter of a right-to-left script may be in a text (the blocks that hold them: Hebrew,
#: Arabic, Syriac, Thaana, N'Ko and the rest): a quick test before the bidi classes are read
RTL_LETTER = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_OPENERS = {opener: closer for closer, opener in _CLOSERS.items()}


def ltr_runs(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (part, left_to_right) pieces: each stretch that must read left to
    right inside right-to-left text (a number such as "+1 555 0199", an e-mail address, a
    Latin name) is one piece marked True, to be isolated in its own direction.

    Unicode's algorithm alone reverses the groups of "+1 555 0199" in a right-to-left
    paragraph ("0199 555 1+"): the spaces between digit groups take the paragraph's
    direction. A stretch starts at a Latin letter or a digit (or a sign just before one),
    runs up to the next right-to-left letter or Arabic digit and ends at its last letter or
    digit (with a percent sign after a digit and any bracket it opened), taking in a
    bracket opened just before it that it closes ("(04) 555-0177")."""
    kinds = [unicodedata.bidirectional(ch) for ch in text]
    pieces: list[tuple[str, bool]] = []
    i = start = 0
    while i < len(text):
        opens = kinds[i] in ("L", "EN") or (
            kinds[i] in ("ES", "ET") and i + 1 < len(text) and kinds[i + 1] == "EN"
        )
        if not opens:
            i += 1
            continue
        end = i
        while end < len(text) and kinds[end] not in _STRONG_RTL | {"AN", "B", "S"}:
            end += 1
        stop = end
        while stop > i and kinds[stop - 1] not in ("L", "EN"):
            # a percent sign after a digit, or after a space after one ("18 %")
            if kinds[stop - 1] == "ET" and (
                kinds[stop - 2] == "EN" or (kinds[stop - 2] == "WS" and kinds[stop - 3] == "EN")
            ):
                break
            stop -= 1
        # a bracket opened inside the stretch is closed inside it
        while stop < end and text[stop] in _CLOSERS and _open(text[i:stop], text[stop]):
            stop += 1
        # and a bracket the stretch closes, opened just before it, is in it: "(04) 555-0177"
        # with its "(" left in the Arabic text read "04) 555-0177)"
        lead = i
        if i > start and text[i - 1] in _OPENERS:
            closer = _OPENERS[text[i - 1]]
            if text[i:stop].count(closer) > text[i:stop].count(text[i - 1]):
                lead = i - 1
        if start < lead:
            pieces.append((text[start:lead], False))
        pieces.append((text[lead:stop], True))
        i = start = stop
    if start < len(text):
        pieces.append((text[start:], False))
    return pieces


def _open(text: str, closer: str) -> bool:
    """Whether `text` leaves a bracket open that `closer` closes."""
    return text.count(_CLOSERS[closer]) > text.count(closer)


def direction_on(text: str, page: str) -> str | None:
    """ "rtl" or "ltr", the direction `text` reads in on a page running `page`, or None
    where it has no strong character. On a right-to-left page, a text with a right-to-left
    letter is right to left however many Latin letters it has (an Arabic sentence naming
    English products, "نسخ احتياطي لـ Microsoft 365 وGoogle Workspace", was laid out left
    to right), one with Latin letters and none of those left to right (a missing
    translation's English source). On a left-to-right page, the direction most of its
    strong characters have (dominant_direction)."""
    if page != "rtl":
        return dominant_direction(text)
    kinds = {unicodedata.bidirectional(ch) for ch in text}
    if kinds & _STRONG_RTL:
        return "rtl"
    return "ltr" if "L" in kinds else None


def dominant_direction(text: str) -> str | None:
    """ "rtl" or "ltr" after the direction most of `text`'s strong characters have (an
    Arabic sentence that opens with a Latin product name is right to left), or None."""
    ltr = rtl = 0
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            ltr += 1
        elif kind in ("R", "AL"):
            rtl += 1
    if ltr == rtl == 0:
        return None
    return "ltr" if ltr > rtl else "rtl"


@functools.lru_cache(maxsize=4096)
def to_html(md: str, rtl: bool = False) -> Markup:
    """Safe HTML for ``md``: no raw HTML, images or unsafe links; headings as bold paragraphs.

    `rtl`: for a right-to-left page, a stretch that must read left to right (ltr_runs: a
    phone number, an e-mail address, a Latin name) and would not (_set_apart) is a ``<span
    dir="ltr">``. A browser isolates it; WeasyPrint, which has no bidi across elements, lays
    out what the span holds left to right and sets the line's other pieces from the right:
    without it a long address's pieces (breakable) went right to left ("eskihouse.exampl"
    before "contractor@alpin") and "+1 555 0199" read "0199 555 +1"."""
    return Markup("".join(_html_blocks(_tokens(md), rtl)).strip())


@functools.lru_cache(maxsize=4096)
def to_inline_html(md: str, rtl: bool = False) -> Markup:
    """Like :func:`to_html`, without the ``<p>`` around a lone paragraph."""
    tokens = _tokens(md)
    if [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]:
        return Markup(_runs_html(_inline_runs(tokens[1].children), rtl))
    return Markup("".join(_html_blocks(tokens, rtl)).strip())


# --- Markdown without the links the renderers drop ---------------------------------------

#: ASCII punctuation: any of it may be backslash-escaped in CommonMark, which makes it text
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
#: the marks that make markup wherever they are (links, emphasis, code, HTML, entities)
_MARKS = re.compile(r"([\\`*_\[\]<>!&#|~])")
#: what makes a block at the start of a line: a list item, a setext heading's underline
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))", re.M)


@functools.lru_cache(maxsize=4096)
def safe_markdown(md: str) -> str:
    """``md`` for an output that hands Markdown on (the feeds): as written, unless it holds a
    link the renderers drop (see :func:`dropped_links`, which `check` warns of as left out
    of every output) or raw HTML (which they show as text). Then it is written again from
    what the renderers show: the link's label without its target, an image's alt text, the
    HTML's marks escaped, bold, italic, code, safe links and lists kept. Should that not
    read back as the same (a rare nesting Markdown cannot spell), each paragraph is its
    text alone, every mark escaped."""
    if not dropped_links(md) and not _raw_html(md):
        return md
    shown = parse(md)
    written = _markdown(shown)
    if _canonical(parse(written)) == _canonical(shown):
        return written
    return "\n\n".join(_text(p.text, every=True) for p in shown)


def _raw_html(md: str) -> bool:
    """Whether a Markdown reader that takes raw HTML (CommonMark's default) finds some in
    ``md``: every output shows it as text, so a feed must not hand it on as markup."""
    if "<" not in md:
        return False
    return any(
        tok.type == "html_block"
        or (tok.type == "inline" and any(c.type == "html_inline" for c in tok.children or ()))
        for tok in _html_reader().parse(md)
    )


@functools.lru_cache(maxsize=1)
def _html_reader() -> MarkdownIt:
    return MarkdownIt("commonmark")


def _text(text: str, every: bool = False) -> str:
    """`text` as Markdown text: the marks that would make markup escaped (`every`: all
    punctuation); a line break kept as a hard break."""
    if every:
        escaped = _PUNCTUATION.sub(r"\\\1", text)
    else:
        escaped = _LINE_START.sub(_escape_start, _MARKS.sub(r"\\\1", text))
    return escaped.replace("\n", "\\\n")


def _escape_start(found: re.Match[str]) -> str:
    # "1." opens a list by its "." (or ")"): the digits stay, the mark after them is escaped
    lead, mark = found[1], found[2]
    return f"{lead}{mark}\\" if mark.isdigit() else f"{lead}\\{mark}"


def _code(text: str) -> str:
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    # a space on each side is taken off a code span's content: added where its own must stay
    padded = text[:1] == "`" or text[-1:] == "`" or (text[:1] == text[-1:] == " " != text.strip())
    pad = " " if padded else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _run(run: Run) -> str:
    if run.code:
        lead, core, trail = "", _code(run.text), ""
    else:
        stripped = run.text.strip()
        if not stripped:
            return _text(run.text)
        start = run.text.index(stripped)
        lead, trail = run.text[:start], run.text[start + len(stripped) :]
        core = _text(stripped)
    marks = "*" * (2 * run.bold + run.italic)
    core = f"{marks}{core}{marks}"
    if run.href:
        core = f"[{core}](<{run.href}>)"
    return f"{_text(lead)}{core}{_text(trail)}"


def _markdown(paras: Sequence[Para]) -> str:
    """Markdown that parse() reads as `paras`: blocks apart by a blank line, a list item's
    own lines and nested items under its text's column."""
    blocks: list[str] = []
    columns: list[int] = []  # the text column of the open item at each depth
    for para in paras:
        under = columns[para.level - 1] if 0 < para.level <= len(columns) else 0
        body = "".join(_run(r) for r in para.runs)
        if para.bullet:
            marker = "- " if para.number is None else f"{para.number}. "
            del columns[para.level :]
            columns.append(under + len(marker))
            body = marker + body
            inner = under + len(marker)
        else:
            inner = under
        blocks.append(" " * under + body.replace("\n", "\n" + " " * inner))
    return "\n\n".join(blocks)


def _canonical(paras: Sequence[Para]) -> list[tuple[object, ...]]:
    """What a reader sees of `paras`: each character with its marks, a space's marks aside
    (``**a** b`` and ``**a **b`` show the same)."""
    return [
        (
            p.bullet,
            p.level,
            p.number,
            tuple(
                (ch, None if ch.isspace() and not r.code else (r.bold, r.italic, r.href, r.code))
                for r in p.runs
                for ch in r.text
            ),
        )
        for p in paras
    ]
