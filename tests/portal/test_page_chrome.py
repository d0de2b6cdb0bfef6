"""What every web page of a rep build shares: link names, logo, navigation, skip link."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from sessionbuild import sample_build

#: the web pages of the rep build, relative to --out, besides the card pages.
PORTAL_PAGES = ("site/index.html", "site/matrix.html", "site/report.html", "site/whats-new.html")
OTHER_PAGES = (
    "site/battlecards/backup-modernization.html",
    "competitors/acme.html",
    "competitors/all_competitors.html",
    "matrix.html",
    "partners/index.html",
)


class Links(HTMLParser):
    """Each link of a page with its accessible name (its text, hidden text included, or its
    aria-label), and each image with its alt text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.images: list[dict[str, str | None]] = []
        self._open: list[tuple[str, list[str], str | None]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a":
            self._open.append((found.get("href") or "", [], found.get("aria-label")))
        elif tag == "img":
            self.images.append(found)
            if self._open and found.get("alt"):
                self._open[-1][1].append(found["alt"] or "")

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            href, text, label = self._open.pop()
            self.links.append((href, label or " ".join("".join(text).split())))


pytestmark = pytest.mark.sample_build


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's full build of the sample: its pages are those of a rep build (an
    `--only` build makes the same bytes, tests/test_build.py)."""
    return sample_build(tmp_path_factory) / "build"


def page(build: Path, rel: str) -> Links:
    return Links((build / rel).read_text(encoding="utf-8"))


@pytest.mark.parametrize("rel", PORTAL_PAGES + OTHER_PAGES)
def test_links_of_one_name_lead_to_one_place(build: Path, rel: str) -> None:
    """A screen reader's list of links tells each apart: never several 'PDF's."""
    places: dict[str, set[str]] = {}
    for href, name in page(build, rel).links:
        assert name, f"{rel}: a link to {href} has no name"
        if href.startswith("#"):
            continue  # (a jump within the page is told apart by its landmark: "On this card")
        places.setdefault(name.casefold(), set()).add(href)
    assert not {n: h for n, h in places.items() if len(h) > 1}, rel


def test_a_source_or_more_link_says_what_it_is_for_out_of_its_sentence(build: Path) -> None:
    """A screen reader's list of links reads "Source: Klinikum Lindenstraße imported …", not
    four "Source"s; the name starts with the word shown (WCAG 2.5.3)."""
    card = [name for _href, name in page(build, "site/battlecards/backup-modernization.html").links]
    sources = [n for n in card if n.startswith("Source")]
    assert len(sources) == 4 and len(set(sources)) == 4, sources
    assert all(n.startswith("Source: ") and len(n) <= len("Source: ") + 90 for n in sources)
    assert (
        "Source: Klinikum Lindenstraße imported 14 years of tape catalogs in three weeks"
        " and retired its…" in sources
    )
    assert [n for n in card if n.casefold().startswith("more")] == [
        "More on Acme Backup",
        "More on Do nothing",
        "More on Build it yourself",
    ]
    acme = [name for _href, name in page(build, "competitors/acme.html").links]
    assert (
        "Source: Contoso Health cut audit preparation for its recovery controls from three"
        " weeks to two days." in acme
    )
    assert "Source" not in acme


def test_download_links_name_what_they_download(build: Path) -> None:
    card = page(build, "site/battlecards/backup-modernization.html").links
    downloads = {
        href.rsplit("/", 1)[-1]: name for href, name in card if href.endswith((".pdf", ".pptx"))
    }
    assert downloads == {
        "backup-modernization.pdf": "PDF of Backup modernization",
        "backup-modernization-enablement.pptx": "Enablement deck of Backup modernization",
    }
    acme = dict(page(build, "competitors/acme.html").links)
    assert acme["acme.pdf"] == "PDF of Acme Backup"
    index = dict(page(build, "competitors/all_competitors.html").links)
    assert index["acme.pdf"] == "PDF of Acme Backup"
    assert index["status-quo.pdf"] == "PDF of Do nothing"


@pytest.mark.parametrize("rel", ["site/matrix.html", "matrix.html"])
def test_the_matrix_pages_offer_the_matrix_pdf(build: Path, rel: str) -> None:
    """build/matrix.pdf is a rep output: each page showing the matrix links it."""
    links = page(build, rel).links
    pdfs = [href for href, name in links if name == "Download the matrix (PDF)"]
    assert len(pdfs) == 1, links
    assert ((build / rel).parent / pdfs[0]).resolve() == (build / "matrix.pdf").resolve()
    assert (build / "matrix.pdf").read_bytes().startswith(b"%PDF")


NAV = ["Plays", "Competitors", "Matrix", "Partners", "What's new", "For marketers"]


def nav_of(build: Path, rel: str) -> list[tuple[str, Path]]:
    """The portal navigation's entries of a page: each name and the file it leads to."""
    text = (build / rel).read_text(encoding="utf-8")
    start = text.index('<nav class="nav"')
    block = text[start : text.index("</nav>", start)]
    return [(name, ((build / rel).parent / href).resolve()) for href, name in Links(block).links]


@pytest.mark.parametrize("rel", OTHER_PAGES)
def test_every_rep_page_has_the_portals_navigation(build: Path, rel: str) -> None:
    """Card, competitor and matrix pages lead where the portal's own pages lead."""
    portal = nav_of(build, "site/index.html")
    assert [name for name, _ in portal] == NAV
    assert nav_of(build, rel) == portal
    for _, target in portal[:3]:
        assert target.is_file(), target


@pytest.mark.parametrize("rel", PORTAL_PAGES + OTHER_PAGES)
def test_every_rep_page_starts_with_a_skip_link_and_a_logo_linking_home(
    build: Path, rel: str
) -> None:
    text = (build / rel).read_text(encoding="utf-8")
    found = page(build, rel)
    first_href, first_name = found.links[0]
    assert (first_href, first_name) == ("#main", "Skip to content")
    assert '<main id="main" tabindex="-1">' in text
    home = (build / "site/index.html").resolve()
    brand = [(h, n) for h, n in found.links if n == "Northwind Systems Rep portal"]
    assert len(brand) == 1 and ((build / rel).parent / brand[0][0]).resolve() == home
    # the company's name is in the link's text: the logo beside it is not read again
    logos = [img for img in found.images if img.get("class") == "logo"]
    assert len(logos) == 1 and logos[0]["alt"] == "", logos
    assert (build / rel).parent.joinpath(logos[0]["src"] or "").resolve().is_file()


def test_a_page_marks_its_own_entry_in_the_navigation(build: Path) -> None:
    for rel, current, section in (
        ("site/index.html", "Plays", None),
        ("site/matrix.html", "Matrix", None),
        ("competitors/all_competitors.html", "Competitors", None),
        # a card is in its entry's section, not that entry's page: marked "true", not "page"
        ("competitors/acme.html", None, "Competitors"),
        ("site/battlecards/backup-modernization.html", None, "Plays"),
        ("de/competitors/acme.html", None, "Wettbewerber"),
        # the matrix outside site/ is the matrix too: its entry was left unmarked
        ("matrix.html", "Matrix", None),
        ("de/matrix.html", "Matrix", None),
    ):
        text = (build / rel).read_text(encoding="utf-8")
        nav = re.search(r'<nav class="nav".*?</nav>', text, re.S)
        assert nav, rel
        marked = re.findall(r'aria-current="(page|true)">([^<]*)<', nav.group())
        expected = [("page", current)] if current else [("true", escape(section or ""))]
        assert marked == expected, rel
