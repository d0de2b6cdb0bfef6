"""The jargon rule's building blocks: what counts as an acronym, where it stands, what is prose."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from salesplay.jargon import acronyms, column_of, glossary_terms_in, is_defined
from salesplay.load import parse_document, prose


def words(text: str) -> list[str]:
    return [word for word, _ in acronyms(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lower RPO and RTO.", ["RPO", "RTO"]),
        ("Move VMs, B2B and 30TB.", ["VMs", "B2B", "30TB"]),
        ("A single capital: I, A, 5G, Vault, SaaS.", []),
        ("(SLA) and 'HA' count; OK counts too.", ["SLA", "HA", "OK"]),
        ("Dashes and paths: TB-size, A/B, v2/API, x.PDF, me@ABC.", []),
        # a script written without spaces ends a word: "目標RPOの" was no acronym's place
        ("目標RPOの設定とXYZの確認。", ["RPO", "XYZ"]),
        ("パートナーSEがPoCを実施", ["SE"]),
        ("RPO를 줄이고 ＳＬＡ", ["RPO"]),
        ("ลด RPOและRTO", ["RPO", "RTO"]),
        ("Unternehmens-IT und ITler", []),
    ],
)
def test_acronyms(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_acronyms_ignore_links_urls_and_email() -> None:
    text = "See https://x.example/ABC, [the CEO](https://x.example/DEF) or ops@XYZ.example."
    assert list(acronyms(text)) == [("CEO", 32)]


def test_acronym_offsets() -> None:
    assert list(acronyms("An untested SLA")) == [("SLA", 12)]


@pytest.mark.parametrize(
    ("word", "defined"),
    [
        ("RPO", True),
        ("RPOs", True),
        ("30RPO", True),
        ("IT", True),
        ("ITs", True),
        ("SLA", False),
        ("RPOS", False),
        ("TB", False),
    ],
)
def test_is_defined(word: str, defined: bool) -> None:
    assert is_defined(word, {"RPO", "IT"}) is defined


def test_prose_skips_ids_codes_dates_and_addresses() -> None:
    data = {
        "name": "Play",
        "why_us": ["SLA-diff"],
        "products": ["vault"],
        "audience": "rep",
        "objections": [{"objection": "Too dear", "response": "Not so", "audience": "public"}],
        "partner": {"role": "Runs it", "min_tier": "gold"},
        "proof": [{"text": "Lab", "source": "https://x"}],
        "target": {"personas": ["CIO"]},
        "count": 3,
    }
    assert list(prose(data)) == [
        (("name",), "Play"),
        (("objections", 0, "objection"), "Too dear"),
        (("objections", 0, "response"), "Not so"),
        (("partner", "role"), "Runs it"),
        (("proof", 0, "text"), "Lab"),
        (("target", "personas", 0), "CIO"),
    ]


def test_column_of_quoted_one_line_scalars() -> None:
    doc = parse_document(Path("p.yaml"), "play", "p", b"a: \"x SLA\"\nb: 'yy SLA'\n")
    assert column_of(doc, ("a",), 2) == (1, 7)
    assert column_of(doc, ("b",), 3) == (2, 8)


def test_column_of_multi_line_scalars_is_the_word_where_the_file_has_it() -> None:
    doc = parse_document(
        Path("p.yaml"),
        "play",
        "p",
        b"a: |\n  x SLA\nb: >\n  y\n  SLA SLA\nc: two\n  lines SLA\nd: 'it''s SLA'\n",
    )
    assert column_of(doc, ("a",), 2) == (2, 5)
    assert column_of(doc, ("b",), 2) == (5, 3)
    assert column_of(doc, ("b",), 6) == (5, 7)  # the second SLA of the value, the file's too
    assert column_of(doc, ("c",), 10) == (7, 9)
    assert column_of(doc, ("d",), 5) == (8, 11)  # after an escaped quote


def test_column_of_unknown_path_defaults_to_file_start() -> None:
    doc = parse_document(Path("p.yaml"), "play", "p", b"a: b\n")
    assert column_of(doc, ("zzz",), 5) == (1, 1)


def test_glossary_terms_in() -> None:
    glossary = {"RPO": "…", "immutable": "…", "air gap": "…", "IT": "…"}
    text = "Immutable copies behind an Air Gap cut the RPOs; it helps."
    assert glossary_terms_in(text, glossary) == ["RPO", "immutable", "air gap"]
    assert glossary_terms_in("mutable rpo", glossary) == []
    # in Japanese, Chinese or Korean text a term stands between letters of those scripts
    assert glossary_terms_in("目標RPOの設定", glossary) == ["RPO"]
    assert glossary_terms_in("RPO를 줄이고", glossary) == ["RPO"]


#: letters whose case rules differ between str.lower, casefold and re.IGNORECASE.
TRICKY = "aAsSkK\u017f\u212a\u00df\u1e9eiI\u0130\u0131\u03a3\u03c3\u03c2\u00b5\u03bc -."


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet="aAsSkKiI -.", max_size=12) | st.text(alphabet=TRICKY, max_size=12),
    terms=st.lists(
        st.text(alphabet="aAsSkKiI", min_size=1, max_size=4)
        | st.text(alphabet=TRICKY.strip(" -."), min_size=1, max_size=4),
        max_size=4,
    ),
)
def test_glossary_terms_in_finds_what_a_regex_per_term_finds(text: str, terms: list[str]) -> None:
    # the substring test before each term's pattern must never pass a term over
    glossary = dict.fromkeys(terms, "meaning")
    want = [
        term
        for term in glossary
        if re.search(
            rf"(?<!\w){re.escape(term)}s?(?!\w)", text, 0 if term.isupper() else re.IGNORECASE
        )
    ]
    assert glossary_terms_in(text, glossary) == want


def _as_a_pattern(term: str, acronym: bool, text: str) -> bool:
    """The rule glossary_terms_in follows, written as one regular expression (as it was
    before the word's ends were judged in Python, for speed)."""
    from salesplay.jargon import _W, UNSPACED_RE, shown_term, term_stem

    stem, flags = term_stem(term), 0 if acronym else re.IGNORECASE
    if UNSPACED_RE.search(term):
        return re.search(re.escape(shown_term(term)), text, flags) is not None
    if stem is not None:
        return re.search(rf"(?<!{_W}){re.escape(stem)}{_W}*", text, flags) is not None
    return re.search(rf"(?<!{_W}){re.escape(term)}s?(?!{_W})", text, flags) is not None


_LETTERS = st.sampled_from([*"aAsSrpoRPOx_ 1.-é目のパก", "ſ", "İ", "i", "\u212a", "Ｒ"])


@settings(max_examples=400, deadline=None)
@example(term="a-a", text="xa-a-a", acronym=False)  # the second try overlaps the first
@given(
    term=st.sampled_from(
        ["RPO", "aa", "a a", "a-a", "recover*", "SaaS", "s", "Kit", "ＲＰＯ", "目標", "İs"]
    ),
    text=st.lists(_LETTERS, max_size=14).map("".join),
    acronym=st.booleans(),
)
def test_a_term_is_found_as_its_pattern_finds_it(term: str, text: str, acronym: bool) -> None:
    from salesplay.jargon import _term_finder

    assert _term_finder(term, acronym)(text) == _as_a_pattern(term, acronym, text)
