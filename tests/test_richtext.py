"""Tests for salesplay.richtext: one Markdown parse, safe HTML and PowerPoint runs."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markupsafe import Markup

from salesplay.richtext import (
    DroppedLink,
    Para,
    Run,
    direction_on,
    dropped_links,
    ltr_runs,
    parse,
    plain,
    safe_href,
    safe_markdown,
    to_html,
    to_inline_html,
)

ALLOWED_TAGS = {
    *("p", "ul", "ol", "li", "strong", "em", "a", "code", "pre", "br", "blockquote"),
    "wbr",  # a break chance inside a word longer than a line
}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.tags


def test_paragraphs_and_soft_breaks() -> None:
    assert parse("one\ntwo\n\nthree") == (Para((Run("one two"),)), Para((Run("three"),)))
    assert to_html("one\ntwo\n\nthree") == "<p>one two</p>\n<p>three</p>"


def test_bold_italic_nested() -> None:
    (para,) = parse("a **b *c*** d")
    assert para.runs == (
        Run("a "),
        Run("b ", bold=True),
        Run("c", bold=True, italic=True),
        Run(" d"),
    )
    assert to_html("a **b *c*** d") == "<p>a <strong>b <em>c</em></strong> d</p>"


def test_safe_link_kept_with_formatting() -> None:
    (para,) = parse("see [the **report**](https://lab.example/r?a=1&b=2)")
    assert para.runs[1:] == (
        Run("the ", href="https://lab.example/r?a=1&b=2"),
        Run("report", bold=True, href="https://lab.example/r?a=1&b=2"),
    )
    assert to_html("[x](mailto:dana@blueriver.example)") == (
        '<p><a href="mailto:dana@blueriver.example">x</a></p>'
    )
    assert 'href="https://lab.example/r?a=1&amp;b=2"' in to_html(
        "[the](https://lab.example/r?a=1&b=2)"
    )


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
        "x.html",
    ],
)
def test_unsafe_link_becomes_plain_label(target: str) -> None:
    md = f"click [here]({target}) now"
    assert parse(md) == (Para((Run("click here now"),)),)
    assert to_html(md) == "<p>click here now</p>"


def test_raw_html_is_escaped_text() -> None:
    md = '<script>alert(1)</script> and <b onclick="x()">b</b>'
    html = to_html(md)
    assert "<script" not in html and "<b" not in html
    assert "&lt;script&gt;" in html
    assert plain(md) == '<script>alert(1)</script> and <b onclick="x()">b</b>'


def test_image_renders_alt_text_only() -> None:
    assert to_html("![Contoso *logo*](https://x.example/l.png)") == "<p>Contoso <em>logo</em></p>"
    assert plain("![Contoso logo](https://x.example/l.png)") == "Contoso logo"


def test_heading_downgraded_to_bold_paragraph() -> None:
    assert to_html("## Why now") == "<p><strong>Why now</strong></p>"
    assert parse("## Why now") == (Para((Run("Why now", bold=True),)),)


def test_code_span() -> None:
    assert to_html("run `make <all>`") == "<p>run <code>make &lt;all&gt;</code></p>"
    assert parse("run `make`")[0].runs == (Run("run "), Run("make", code=True))


def test_hard_break_kept_as_newline() -> None:
    assert parse("a  \nb")[0].runs == (Run("a\nb"),)
    assert to_html("a  \nb") == "<p>a<br>\nb</p>"


def test_nested_and_ordered_lists_flatten_with_levels() -> None:
    md = "Intro\n\n- one\n  - one.a **x**\n- two\n\n3. third\n4. fourth"
    paras = parse(md)
    assert [(p.text, p.bullet, p.level, p.number) for p in paras] == [
        ("Intro", False, 0, None),
        ("one", True, 0, None),
        ("one.a x", True, 1, None),
        ("two", True, 0, None),
        ("third", True, 0, 3),
        ("fourth", True, 0, 4),
    ]
    html = to_html(md)
    assert "<ul>\n<li>one<ul>\n<li>one.a <strong>x</strong></li>" in html
    assert '<ol start="3">' in html


def test_second_paragraph_of_list_item_is_indented_not_bulleted() -> None:
    paras = parse("- first\n\n  more about first\n- second")
    assert [(p.text, p.bullet, p.level) for p in paras] == [
        ("first", True, 0),
        ("more about first", False, 1),
        ("second", True, 0),
    ]


def test_inline_html_drops_lone_paragraph_wrapper() -> None:
    assert to_inline_html("**Ask** about restores") == "<strong>Ask</strong> about restores"
    assert to_inline_html("a\n\nb") == "<p>a</p>\n<p>b</p>"
    assert isinstance(to_inline_html("x"), Markup)


def test_plain_and_empty() -> None:
    assert plain("**We** already have [backups](https://x.example).") == "We already have backups."
    assert parse("") == ()
    assert to_html("") == ""
    assert plain("- a\n- b") == "a\nb"


def test_safe_href() -> None:
    assert safe_href(" https://a.example ") == "https://a.example"
    assert safe_href("http:alert") is None
    assert safe_href("vbscript:x") is None
    assert safe_href(None) is None


@pytest.mark.parametrize(
    ("md", "dropped"),
    [
        # link syntax in a code span is shown as written: no link
        ("Type `[runbook](runbook.pdf)` to link.", []),
        ("[runbook](runbook.pdf)", [DroppedLink("runbook.pdf", "runbook.pdf", (0, 1))]),
        # a reference link is dropped like an inline one; its target is in the definition
        (
            "See [runbook][r].\n\n[r]: runbook.pdf",
            [DroppedLink("runbook.pdf", "runbook.pdf", (2, 3))],
        ),
        (
            "- a\n- [b][]\n\n[b]: <my guide.pdf>",
            [DroppedLink("my%20guide.pdf", "my guide.pdf", (3, 4))],
        ),
        ("<file:///etc/passwd>", [DroppedLink("file:///etc/passwd", "file:///etc/passwd", (0, 1))]),
        (
            "a\n\n[x](javascript:alert(1)) [y](docs/übersicht.pdf)",
            [
                DroppedLink("javascript:alert(1)", "javascript:alert(1)", (2, 3)),
                DroppedLink("docs/%C3%BCbersicht.pdf", "docs/übersicht.pdf", (2, 3)),
            ],
        ),
        # kept, not links, or no target
        ("[a](https://a.example) <https://b.example> <a@b.example> [m](mailto:a@b.example)", []),
        ("[not a link](a b) [r][nowhere] [empty]()", []),
    ],
)
def test_dropped_links_are_the_links_the_renderers_drop(
    md: str, dropped: list[DroppedLink]
) -> None:
    assert dropped_links(md) == dropped
    anchors = [dict(attrs)["href"] for tag, attrs in _tags(to_html(md)) if tag == "a"]
    assert not {link.href for link in dropped} & set(anchors)


_TRICKY = [
    "javascript:",
    "onerror=",
    "onclick",
    "<script>",
    "<img src=x ",
    "data:",
    "](",
    "http://",
]
_markdownish = st.lists(
    st.sampled_from([*"ab <>\"'=:/()[]!*_`#-1.\n\\&;", *_TRICKY]),
    max_size=60,
).map("".join)


def _scheme(href: str) -> str:
    """The scheme a browser reads in the attribute value `href` (as HTMLParser gives it,
    entities resolved): tabs and newlines removed, leading controls and spaces stripped
    (WHATWG URL parsing), lower-cased; "" for a relative reference."""
    cleaned = re.sub(r"[\t\n\r]", "", href).lstrip("".join(map(chr, range(0x21))))
    found = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", cleaned)
    return found.group(1).lower() if found else ""


def test_the_scheme_a_browser_reads_is_found_however_spelled() -> None:
    assert _scheme("http://javascript:") == "http"
    assert _scheme(" java\tscript:alert(1)") == "javascript"
    assert _scheme("JaVaScRiPt:alert(1)") == "javascript"
    assert _scheme("/plays/x.html") == ""


@settings(max_examples=400, deadline=None)
@given(st.one_of(_markdownish, st.text(max_size=80)))
def test_html_is_always_safe(md: str) -> None:
    for html in (to_html(md), to_inline_html(md)):
        assert "<script" not in html.lower()
        assert "<img" not in html.lower()
        for tag, attrs in _tags(html):
            assert tag in ALLOWED_TAGS
            for name, value in attrs:
                assert not name.startswith("on")
                assert (tag, name) in {("a", "href"), ("ol", "start")}
                if name == "href":
                    assert value is not None and safe_href(value) == value
                    # a host named "javascript" (<http://javascript:>) is harmless; a
                    # scheme a browser would run is not, however it is spelled
                    assert _scheme(value) not in {"javascript", "vbscript", "data"}, value


@settings(max_examples=200, deadline=None)
@given(_markdownish)
def test_plain_text_survives_in_runs(md: str) -> None:
    # Both outputs come from one parse: every run's text appears, escaped, in the HTML.
    html = to_html(md).replace("<wbr>", "")
    for para in parse(md):
        for run in para.runs:
            for line in run.text.split("\n"):
                assert str(Markup.escape(line)) in html


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("+1 555 0199", ["+1 555 0199"]),
        ("اتصل على +1 555 0199 اليوم.", ["+1 555 0199"]),
        ("راسلنا partners@northwind.example شكرا", ["partners@northwind.example"]),
        ("الخليج للحلول التقنية (Gulf Tech Solutions)", ["Gulf Tech Solutions"]),
        ("نسبة 50% من Acme (beta) رائعة", ["50%", "Acme (beta)"]),
        ("١٢٣ شارع", []),
        # a bracket opened just before a number it closes is the number's ("04) 555-0177)")
        ("اتصلوا على (04) 555-0177 أو (+971) 4 555 0177", ["(04) 555-0177", "(+971) 4 555 0177"]),
        ("نص (5 من 10) هنا", ["5", "10"]),
        # a percent sign after a space after a number is the number's ("% 18" on a slide)
        ("انخفاض 18 % في التكلفة", ["18 %"]),
    ],
)
def test_ltr_runs_isolate_numbers_addresses_and_latin_names(text: str, runs: list[str]) -> None:
    pieces = ltr_runs(text)
    assert "".join(p for p, _ in pieces) == text
    assert [p for p, ltr in pieces if ltr] == runs


@pytest.mark.parametrize(
    ("text", "rtl", "ltr"),
    [
        ("نسخ احتياطي لـ Microsoft 365 وGoogle Workspace", "rtl", "ltr"),
        ("Ask how long the last restore took.", "ltr", "ltr"),
        ("النسخ الاحتياطي Vault", "rtl", "rtl"),
        ("+1 555 0199", None, None),
    ],
)
def test_a_text_with_a_right_to_left_letter_is_right_to_left_on_such_a_page(
    text: str, rtl: str | None, ltr: str | None
) -> None:
    assert direction_on(text, "rtl") == rtl
    assert direction_on(text, "ltr") == ltr  # the direction most of its letters have


def test_right_to_left_html_sets_each_left_to_right_stretch_apart() -> None:
    """For a right-to-left page, a number, an address or a Latin name is a span of its own
    direction: WeasyPrint laid out a long address's pieces (<wbr>) and a phone number's
    groups right to left. The span holds the stretch whatever marks are inside it."""
    assert to_html("اتصل على +1 555 0199 اليوم.", rtl=True) == (
        '<p>اتصل على <span dir="ltr">+1 555 0199</span> اليوم.</p>'
    )
    address = "contractor@alpineskihouse.example"
    assert to_inline_html(f"راسلنا {address}.", rtl=True) == (
        'راسلنا <span dir="ltr">contractor@alpin<wbr>eskihouse.exampl<wbr>e</span>.'
    )
    assert to_inline_html("يحمي Microsoft **365** Backup", rtl=True) == (
        'يحمي <span dir="ltr">Microsoft <strong>365</strong> Backup</span>'
    )
    # a link's Latin end is set apart inside it; a code span and a line break stay as they were
    assert to_inline_html("[راجعوا https://n.example](https://n.example) `x`\\\nب", rtl=True) == (
        '<a href="https://n.example">راجعوا </a><span dir="ltr"><a href="https://n.example">'
        "https://n.example</a> <code>x</code></span><br>\nب"
    )
    # a left-to-right page's HTML, and text without such a stretch, are as they were
    for md in ("اتصل على +1 555 0199 اليوم.", "نص عربي فقط"):
        assert to_html(md) == to_html(md, rtl=True).replace('<span dir="ltr">', "").replace(
            "</span>", ""
        )
    assert to_html("نص عربي فقط", rtl=True) == "<p>نص عربي فقط</p>"
    # a name that reads right as it is stays as written (each element in an Arabic line is
    # one more place WeasyPrint may break it early); a number with a unit is set apart
    assert to_html("يحمي Northwind Vault v2.1 **النسخ**", rtl=True) == (
        "<p>يحمي Northwind Vault v2.1 <strong>النسخ</strong></p>"
    )
    assert to_inline_html("حتى 500 TB و5,000 مستخدم", rtl=True) == (
        'حتى <span dir="ltr">500 TB</span> و5,000 مستخدم'
    )


def test_an_english_paragraph_in_arabic_markdown_reads_left_to_right() -> None:
    """An English paragraph (a quote, a product's own words) inside Arabic Markdown was set
    right to left, its full stop at its left end. A paragraph or heading with Latin letters
    and no Arabic one is left to right; a list item's text is a span of that direction, so
    its bullet stays on the page's side (on the item, WeasyPrint drew it in the margin)."""
    md = "نص عربي.\n\nRestores are tested.\n\n# Why now\n\n- Every drill.\n- عنصر (Beta) عربي\n"
    assert to_html(md, rtl=True) == (
        "<p>نص عربي.</p>\n"
        '<p dir="ltr">Restores are tested.</p>\n'
        '<p dir="ltr"><strong>Why now</strong></p>\n'
        "<ul>\n"
        '<li><span dir="ltr">Every drill.</span></li>\n'
        "<li>عنصر (Beta) عربي</li>\n"
        "</ul>"
    )
    # a loose item's paragraphs each take their own; a left-to-right page's are as they were
    assert to_html("- Every drill.\n\n  عربي\n", rtl=True) == (
        '<ul>\n<li><p><span dir="ltr">Every drill.</span></p>\n<p>عربي</p>\n</li>\n</ul>'
    )
    assert 'dir="' not in to_html(md)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"ab ب+1 .@*_`[]()\n", "](https://e.example)"]), max_size=40))
def test_right_to_left_html_is_well_formed_and_holds_the_same_text(pieces: list[str]) -> None:
    md = "".join(pieces)
    for render in (to_html, to_inline_html):
        html = render(md, rtl=True)
        assert {tag for tag, _ in _tags(html)} <= ALLOWED_TAGS | {"span"}
        assert _text_of(html) == _text_of(render(md))
        # every tag closed where it was opened
        assert _balanced(html), html


def _text_of(html: str) -> str:
    return re.sub(r"<[^>]*>", "", html)


def _balanced(html: str) -> bool:
    stack: list[str] = []
    for closing, tag in re.findall(r"<(/?)([a-z]+)[^>]*>", html):
        if tag in ("br", "wbr"):
            continue
        if not closing:
            stack.append(tag)
        elif not stack or stack.pop() != tag:
            return False
    return not stack


def test_safe_markdown_drops_the_links_the_outputs_drop_and_keeps_the_rest() -> None:
    md = (
        "Ask **[the owner](javascript:alert(1))** first; see [the guide](https://e.example/g)"
        " and ![a diagram](flow.png).\n\n- one `x*y`\n- [two](docs/two.pdf)\n  - *three*"
    )
    out = safe_markdown(md)
    assert dropped_links(out) == []
    assert "javascript" not in out and "flow.png" not in out and "docs/two.pdf" not in out
    assert out == (
        "Ask **the owner** first; see [the guide](<https://e.example/g>) and a diagram.\n\n"
        "- one `x*y`\n\n- two\n\n  - *three*"
    )
    # text with no link to drop is handed on as written, marks and all
    kept = "A *fine* [link](https://e.example) & more, if a < b"
    assert safe_markdown(kept) == kept


def test_safe_markdown_hands_on_raw_html_as_the_text_every_output_shows() -> None:
    """A CommonMark reader takes raw HTML as markup (a partner's site would run the script);
    every output shows it as text, so the feeds escape it, code spans aside."""
    md = "Call <script>alert(1)</script> **now**, see `<b>`\n\n<div>x</div>"
    out = safe_markdown(md)
    assert _raw_html(out) == [] and _raw_html(md) != []
    assert plain(out) == plain(md) and to_html(out) == to_html(md)
    escaped = (
        r"Call \<script\>alert(1)\</script\> **now**, see `<b>`" + "\n\n" + r"\<div\>x\</div\>"
    )
    assert out == escaped


def _raw_html(md: str) -> list[str]:
    """The raw HTML a CommonMark reader that takes it (its default) finds in `md`."""
    found = []
    for tok in MarkdownIt("commonmark").parse(md):
        if tok.type == "html_block":
            found.append(tok.content)
        for child in tok.children or ():
            if child.type == "html_inline":
                found.append(child.content)
    return found


_unsafe_links = st.sampled_from(
    ["[x](javascript:alert(1))", "![y](a.png)", "[z](docs/a.pdf)", "<javascript:alert(2)>",
     "[r]\n\n[r]: data:text/html,x", "[ok](https://e.example/(p))", "**[b](file:///etc)**"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_markdownish, _unsafe_links), max_size=6).map("".join))
def test_safe_markdown_reads_as_the_outputs_show_it(md: str) -> None:
    """What safe_markdown writes holds no link the outputs drop and no raw HTML, and reads
    as the same text; Markdown without either is left as written."""
    out = safe_markdown(md)
    assert dropped_links(out) == [] and _raw_html(out) == []
    assert plain(out) == plain(md)
    if not dropped_links(md) and not _raw_html(md):
        assert out == md


def test_a_word_longer_than_a_line_gets_break_chances_and_no_other_text_does() -> None:
    """A 120-character part number ran off the page: it gets a <wbr> every 16 characters
    (never before a combining mark, nor inside an emoji sequence); shorter words and the
    escaping are as before."""
    token = "NwBkpEnterpriseImmutable" * 5
    html = to_inline_html(f"Order **{token}** & <now>")
    assert html.replace("<wbr>", "") == f"Order <strong>{token}</strong> &amp; &lt;now&gt;"
    pieces = html.split("<strong>")[1].split("</strong>")[0].split("<wbr>")
    assert "".join(pieces) == token and {len(p) for p in pieces[:-1]} == {16}
    assert "<wbr>" not in to_inline_html("a word of 32 letters: " + "x" * 32)
    # a script written without spaces breaks between its letters already
    assert "<wbr>" not in to_inline_html("営業チームの勝ち筋を三十秒で話す" * 3)
    accents = "e\u0301" * 20  # 40 characters, each accent right after its letter
    assert all(not p.startswith("\u0301") for p in to_inline_html(accents).split("<wbr>"))
    family = "\U0001f469\u200d\U0001f4bb" * 12
    assert all(
        not p.startswith("\u200d") and not p.endswith("\u200d")
        for p in to_inline_html(family).split("<wbr>")
    )
