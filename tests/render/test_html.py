"""HTML renderer: card, playbook and matrix structure, path SVG, overrides, template faults."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest

from salesplay.context import Context
from salesplay.edition import make_edition
from salesplay.images import site_name
from salesplay.models import AUDIENCES, Brand
from salesplay.pipeline import check_catalog
from salesplay.render import html
from salesplay.render.templates import THEME_DIR, TemplateFault, make_env, template_dirs
from salesplay.views import Edition, PathView, StepView

SAMPLE = Path(__file__).resolve().parents[2] / "plays"
AS_OF = dt.date(2026, 11, 23)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
#: the card's sections, in the order a rep reads them (optional ones may be missing).
CARD_ORDER = [
    "brief", "differentiators", "discovery", "qualification", "objections", "competitors",
    "proof", "handoff", "next-steps", "roadmap", "partner", "decoder",
]  # fmt: skip


# --- a tiny DOM over html.parser (no new dependencies) -----------------------------------


@dataclasses.dataclass
class El:
    tag: str
    attrs: dict[str, str]
    children: list[El | str] = dataclasses.field(default_factory=list)

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def iter(self) -> Iterator[El]:
        yield self
        for c in self.children:
            if isinstance(c, El):
                yield from c.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[El]:
        """Elements by tag and attribute; `class_` matches one class among several."""
        found = []
        for el in self.iter():
            if tag and el.tag != tag:
                continue
            ok = True
            for key, want in attrs.items():
                if key == "class_":
                    ok = ok and want in el.attrs.get("class", "").split()
                else:
                    ok = ok and el.attrs.get(key.replace("_", "-")) == want
            if ok:
                found.append(el)
        return found

    def one(self, tag: str | None = None, **attrs: str) -> El:
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"expected one {tag} {attrs}, found {len(found)}"
        return found[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = El("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = El(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(El(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(page: str) -> El:
    """The document tree; fails on mis-nested or unclosed tags."""
    builder = _Builder()
    builder.feed(page)
    builder.close()
    assert builder.stack == [builder.root], f"unclosed <{builder.stack[-1].tag}>"
    return builder.root


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def editions() -> dict[str, Edition]:
    cat = check_catalog(Context(catalog=SAMPLE, as_of=AS_OF))
    assert cat is not None
    return {a: make_edition(cat, a) for a in ("rep", "internal")}


@pytest.fixture(scope="module")
def rep(editions: dict[str, Edition]) -> Edition:
    return editions["rep"]


@pytest.fixture(scope="module")
def env() -> jinja2.Environment:
    return make_env(None)


def card(env: jinja2.Environment, ed: Edition, pid: str, medium: html.Medium = "web") -> El:
    links = html.Links.for_site(1) if medium == "web" else html.Links.for_pdf(SAMPLE, [THEME_DIR])
    return parse(html.battlecard(env, ed, pid, links, medium=medium))


def sections(doc: El) -> list[str]:
    return [s.attrs["data-section"] for s in doc.find_all("section") if "data-section" in s.attrs]


# --- battlecard ---------------------------------------------------------------------------


@pytest.mark.parametrize("medium", ["web", "print"])
def test_every_card_has_its_name_and_sections_in_reading_order(
    env: jinja2.Environment, rep: Edition, medium: html.Medium
) -> None:
    for pid, play in rep.plays.items():
        doc = card(env, rep, pid, medium)
        assert doc.one("h1").text == play.name
        found = sections(doc)
        assert found == [s for s in CARD_ORDER if s in found], pid
        for required in ("brief", "differentiators", "discovery", "next-steps"):
            assert required in found, (pid, required)
        assert found[0] == "brief" and found[-1] == ("decoder" if play.decoder else found[-1])
        assert ("decoder" in found) == bool(play.decoder), pid


def test_headings_never_skip_a_level(env: jinja2.Environment, rep: Edition) -> None:
    for pid in rep.plays:
        levels = [
            int(el.tag[1]) for el in card(env, rep, pid).iter() if re.fullmatch(r"h[1-6]", el.tag)
        ]
        assert levels[0] == 1 and levels.count(1) == 1, pid
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (pid, levels)


def test_thirty_second_version_names_path_step_destination_and_the_three_whys(
    env: jinja2.Environment, rep: Edition
) -> None:
    brief = card(env, rep, "ransomware-detection").one("section", data_section="brief")
    assert "Step 3 of 5" in brief.text
    assert "From nightly backup to proven recovery" in brief.text
    assert "Cyber-resilient enterprise" in brief.text
    assert [h.text for h in brief.find_all("h3")] == ["Why do anything?", "Why now?", "Why us?"]
    assert "dwell time" in brief.one("div", class_="why-anything").text
    # the next play on the path links to its card
    assert brief.one("a").attrs["href"] == "../battlecards/clean-recovery.html"


def test_differentiators_carry_unique_or_comparative_badges_and_proof(
    env: jinja2.Environment, rep: Edition
) -> None:
    diffs = card(env, rep, "ransomware-detection").one("section", data_section="differentiators")
    claims = {li.attrs["data-claim"]: li for li in diffs.find_all("li", class_="claim")}
    assert list(claims) == ["scan-every-backup", "threat-hunting-in-backups"]
    assert claims["scan-every-backup"].one("span", class_="badge-comparative").text == "Comparative"
    assert claims["threat-hunting-in-backups"].one("span", class_="badge-unique").text == "Unique"
    versus = claims["scan-every-backup"].one("ul", class_="versus").text
    assert "vs Stratus Cloud Protect" in versus and "vs Ironclad Data" in versus
    assert claims["scan-every-backup"].find_all("p", class_="proof")


def test_roadmap_claims_are_labelled_with_confidence_and_do_not_commit(
    env: jinja2.Environment, rep: Edition
) -> None:
    doc = card(env, rep, "ransomware-detection")
    hunting = doc.one("li", data_claim="threat-hunting-in-backups")
    label = hunting.one("p", class_="roadmap").text
    assert "60 % confidence" in label and "not available — do not commit" in label
    assert not doc.one("li", data_claim="scan-every-backup").find_all("p", class_="roadmap")
    clean = card(env, rep, "clean-recovery").one("li", data_claim="clean-room-recovery")
    assert "Launch-ready · 95 % confidence" in clean.one("p", class_="roadmap").text
    roadmap = doc.one("section", data_section="roadmap").text
    assert "do not commit" in roadmap


def test_stale_claims_are_badged_with_their_age(env: jinja2.Environment, rep: Edition) -> None:
    doc = card(env, rep, "backup-modernization")
    stale = doc.one("li", data_claim="ten-times-faster-restores")
    days = rep.differentiators["ten-times-faster-restores"].stale_days
    assert days and stale.one("span", class_="badge-stale").text == f"Last verified {days} days ago"
    fresh = doc.one("li", data_claim="immutable-by-default")
    assert not fresh.find_all("span", class_="badge-stale")


def test_jargon_decoder_lists_the_glossary_terms_of_the_card(
    env: jinja2.Environment, rep: Edition
) -> None:
    for pid, play in rep.plays.items():
        decoder = card(env, rep, pid).one("section", data_section="decoder")
        assert decoder.one("h2").text == "Jargon decoder"
        assert [dt_.text for dt_ in decoder.find_all("dt")] == [t for t, _ in play.decoder], pid
    assert rep.plays["ransomware-detection"].decoder  # the check above is not vacuous


def test_objections_competitors_and_next_steps(env: jinja2.Environment, rep: Edition) -> None:
    doc = card(env, rep, "ransomware-detection")
    play = rep.plays["ransomware-detection"]
    objections = doc.one("section", data_section="objections").find_all("dt")
    assert [o.text.strip("“”") for o in objections] == [o.objection for o in play.objections]
    matchups = doc.one("section", data_section="competitors").find_all("div", class_="matchup")
    assert [m.attrs["data-competitor"] for m in matchups] == [
        m.competitor.id for m in play.competitors
    ]
    stratus = doc.one("div", data_competitor="stratus")
    assert "Landmine" in stratus.one("ul", class_="landmines").text
    steps = doc.one("section", data_section="next-steps").find_all("li")
    assert len(steps) == len(play.next_steps)


def test_web_card_is_self_contained(env: jinja2.Environment, rep: Edition) -> None:
    page = html.battlecard(env, rep, "backup-modernization", html.Links.for_site(1), medium="web")
    doc = parse(page)
    # one inline script (it scrolls a wide path to this play's step), nothing loaded
    scripts = doc.find_all("script")
    assert len(scripts) == 1 and "src" not in scripts[0].attrs
    assert "scrollLeft" in scripts[0].text and "[data-current]" in scripts[0].text
    assert doc.find_all("header") and doc.find_all("main") and doc.find_all("nav")
    assert doc.one("meta", name="viewport")
    for el in doc.iter():
        for attr in ("href", "src"):
            url = el.attrs.get(attr)
            if url is None or url.startswith("#"):
                continue
            # only relative links, or links the catalog author wrote (proof sources)
            assert not url.startswith(("/", "file:", "data:")), url
            assert "://" not in url or el.attrs.get("class") == "source", url
    downloads = {a.attrs["href"]: a.text for a in doc.one("p", class_="downloads").find_all("a")}
    assert list(downloads) == [
        "../../battlecards/backup-modernization.pdf",
        "../../decks/backup-modernization-enablement.pptx",
    ]
    # each named with its play, for a screen reader's list of links
    assert [text.replace(" ", "") for text in downloads.values()] == [
        "PDFofBackupmodernization",
        "EnablementdeckofBackupmodernization",
    ]
    styles = [link.attrs["href"] for link in doc.find_all("link")]
    assert styles == [
        "../assets/fonts.css",
        "../assets/style.css",
        "../assets/web.css",
        "../assets/portal/header.css",
    ]
    assert doc.one("img", class_="logo").attrs["src"] == "../" + site_name("assets/northwind.svg")
    assert doc.one("a", class_="brand").attrs["href"] == "../index.html"


def test_print_card_has_running_header_footer_and_file_links(
    env: jinja2.Environment, rep: Edition
) -> None:
    doc = card(env, rep, "clean-recovery", "print")
    head = doc.one("div", class_="run-head")
    assert "Clean-room recovery" in head.text
    assert head.one("img").attrs["src"] == (SAMPLE / "assets/northwind.svg").resolve().as_uri()
    foot = doc.one("div", class_="run-foot").text
    assert "2026-11-23" in foot and "Rep edition" in foot
    sheets = [link.attrs["href"] for link in doc.find_all("link")]
    assert [s.rsplit("/", 1)[1] for s in sheets] == ["fonts.css", "style.css", "print.css"]
    assert all(Path(s.removeprefix("file://")).is_file() for s in sheets)
    assert not doc.find_all("nav")  # no web navigation on paper


def test_brand_colours_become_css_custom_properties(env: jinja2.Environment, rep: Edition) -> None:
    ed = dataclasses.replace(rep, brand=Brand(primary="#123456", accent="#ABCDEF"))
    style = card(env, ed, "recovery-drills").one("style").text
    assert "--primary:#123456" in style and "--accent:#ABCDEF" in style
    assert "&" not in style  # not mangled by autoescape
    with pytest.raises(ValueError):
        html.brand_css(Brand.model_construct(primary="red;}body{x:y", accent="#000000"))


def test_catalog_text_is_escaped_and_markdown_has_no_raw_html(
    env: jinja2.Environment, rep: Edition
) -> None:
    play = rep.plays["recovery-drills"]
    evil = dataclasses.replace(
        play,
        name="<script>alert(1)</script>",
        summary='<img src=x onerror="alert(2)"> **bold**',
        discovery=("[click](javascript:alert(3))",),
    )
    ed = dataclasses.replace(rep, plays={**rep.plays, play.id: evil})
    page = html.battlecard(env, ed, play.id, html.Links.for_site(1), medium="web")
    assert "<script>alert" not in page and "<img src=x" not in page and "javascript:" not in page
    doc = parse(page)
    assert len(doc.find_all("script")) == 1  # the theme's own, which scrolls the path
    assert doc.one("h1").text == "<script>alert(1)</script>"
    assert doc.one("div", class_="summary").find_all("strong")


def test_a_sparse_play_renders_without_its_optional_sections(
    env: jinja2.Environment, rep: Edition
) -> None:
    play = rep.plays["recovery-drills"]
    bare = dataclasses.replace(
        play, products=(), target=None, triggers=(), qualification=(), objections=(),
        competitors=(), proof=(), handoff=None, partner=None, positions=(), decoder=(),
    )  # fmt: skip
    ed = dataclasses.replace(
        rep,
        plays={**rep.plays, play.id: bare},
        company=rep.company.model_copy(update={"logo": None}),
    )
    mediums: tuple[html.Medium, ...] = ("web", "print")
    for medium in mediums:
        doc = card(env, ed, play.id, medium)
        # an empty section is left out whole: no "Jargon decoder — No jargon on this card"
        assert sections(doc) == ["brief", "differentiators", "discovery", "next-steps"]
        assert not doc.find_all("img") and not doc.find_all("div", class_="position")
        assert "jargon" not in doc.text.lower()


def test_sections_and_boxes_with_nothing_to_show_are_left_out(
    env: jinja2.Environment, rep: Edition
) -> None:
    play = rep.plays["recovery-drills"]
    empty = dataclasses.replace(
        play, why_now="", why_us=(), discovery=(), qualification=(), next_steps=(), proof=(),
        handoff=None, decoder=(),
    )  # fmt: skip
    ed = dataclasses.replace(rep, plays={**rep.plays, play.id: empty})
    mediums: tuple[html.Medium, ...] = ("web", "print")
    for medium in mediums:
        doc = card(env, ed, play.id, medium)
        assert "differentiators" not in sections(doc) and "next-steps" not in sections(doc)
        whys = [w.attrs["class"] for w in doc.find_all("div", class_="why")]
        assert whys == ["why why-anything"], medium  # no empty Why now / Why us boxes
        assert not doc.find_all("div", class_="trio")
        assert not {"discovery", "qualification"} & set(sections(doc))
        if medium == "web":
            jumps = [
                a.attrs["href"].rsplit("-", 1)[-1]
                for a in doc.one("p", class_="jumps").find_all("a")
            ]
            assert jumps == ["brief", "objections", "competitors"], jumps


def test_why_boxes_and_matchups_sit_in_cells_of_their_own(
    env: jinja2.Environment, rep: Edition
) -> None:
    """A table cell or grid item stretches to its row: the coloured box inside it does not."""
    mediums: tuple[html.Medium, ...] = ("web", "print")
    for medium in mediums:
        doc = card(env, rep, "backup-modernization", medium)
        grid = doc.one("div", class_="why-grid")
        assert [c.attrs["class"] for c in grid.children if isinstance(c, El)] == ["why-cell"] * 3
        for row in doc.one("div", class_="matchups").find_all("div", class_="row"):
            cells = [c for c in row.children if isinstance(c, El)]
            assert all(c.attrs["class"] in ("matchup-cell", "filler") for c in cells)


def test_jargon_decoder_reads_down_the_first_column_then_the_second(
    env: jinja2.Environment, rep: Edition
) -> None:
    play = rep.plays["backup-modernization"]
    terms = [t for t, _ in play.decoder]
    assert len(terms) >= 3
    half = (len(terms) + 1) // 2
    mediums: tuple[html.Medium, ...] = ("web", "print")
    for medium in mediums:
        decoder = card(env, rep, play.id, medium).one("div", class_="decoder")
        columns = decoder.find_all("dl", class_="decoder-col")
        got = [[dt_.text for dt_ in col.find_all("dt")] for col in columns]
        assert got == [terms[:half], terms[half:]], medium


def test_every_edition_renders(env: jinja2.Environment) -> None:
    cat = check_catalog(Context(catalog=SAMPLE, as_of=AS_OF))
    assert cat is not None
    links = html.Links.for_pdf(SAMPLE, [THEME_DIR])
    for audience in AUDIENCES:
        ed = make_edition(cat, audience)
        for pid in ed.plays:
            parse(html.battlecard(env, ed, pid, links, medium="print"))
        for did in ed.destinations:
            parse(html.playbook(env, ed, did, links))
        parse(html.matrix(env, ed, links, medium="web"))


# --- links ---------------------------------------------------------------------------------


def test_site_links_are_relative_to_the_page_depth() -> None:
    top, deep = html.Links.for_site(0), html.Links.for_site(1)
    assert top.theme("style.css") == "assets/style.css"
    assert deep.theme("style.css") == "../assets/style.css"
    assert deep.asset("assets/northwind.svg") == "../" + site_name("assets/northwind.svg")
    assert top.play("x") == "battlecards/x.html" and deep.play("x") == "../battlecards/x.html"
    assert top.downloads("x")["PDF"] == "../battlecards/x.pdf"


def test_pdf_links_prefer_project_theme_files(tmp_path: Path) -> None:
    (tmp_path / "style.css").write_text("body{}")
    links = html.Links.for_pdf(SAMPLE, template_dirs(tmp_path))
    assert links.theme("style.css") == (tmp_path / "style.css").resolve().as_uri()
    assert links.theme("print.css") == (THEME_DIR / "print.css").as_uri()
    assert links.play("backup-modernization") is None and links.downloads("x") == {}


# --- matrix --------------------------------------------------------------------------------


@pytest.mark.parametrize("medium", ["web", "print"])
def test_matrix_rows_cells_and_play_links(
    env: jinja2.Environment, rep: Edition, medium: html.Medium
) -> None:
    links = html.Links.for_site(0) if medium == "web" else html.Links.for_pdf(SAMPLE, [THEME_DIR])
    doc = parse(html.matrix(env, rep, links, medium=medium))
    table = doc.one("table", class_="matrix")
    heads = [th.attrs["data-competitor"] for th in table.find_all("th", class_="col-comp")]
    assert heads[0] == "status-quo" and set(heads) == set(rep.competitors)
    rows = {tr.attrs["data-claim"]: tr for tr in table.find_all("tr") if "data-claim" in tr.attrs}
    assert set(rows) == set(rep.differentiators)
    types = [rep.differentiators[c].type for c in rows]
    assert types == sorted(types, key=lambda t: t != "unique")  # unique first
    air = rows["air-gap-included"]
    wins = {td.attrs["data-competitor"]: td for td in air.find_all("td", class_="cell-win")}
    assert set(wins) == {"acme", "status-quo", "cloud-builtin"}
    assert "✓" in wins["acme"].text and "shipping tapes" in wins["acme"].text
    assert len(air.find_all("td", class_="cell-none")) == len(heads) - 3
    unique = rows["tape-catalog-import"].one("td", class_="cell-unique")
    assert unique.attrs["colspan"] == str(len(heads))
    assert "Last verified" in rows["ten-times-faster-restores"].text
    assert "do not commit" in rows["threat-hunting-in-backups"].text
    plays = rows["air-gap-included"].one("td", class_="col-plays").find_all("a")
    if medium == "web":
        assert [a.attrs["href"] for a in plays] == [
            f"battlecards/{p}.html" for p in rep.differentiators["air-gap-included"].plays
        ]
    else:
        assert not plays and "Backup modernization" in rows["air-gap-included"].text


def test_a_printed_matrix_of_many_competitors_goes_in_tables_of_eight(
    env: jinja2.Environment, tmp_path: Path
) -> None:
    """Twenty competitors ran off the landscape page's right edge: columns 16 and on, and
    the claims against them, were on no page of matrix.pdf or the playbooks."""
    import shutil

    root = tmp_path / "plays"
    shutil.copytree(SAMPLE, root)
    for i in range(15):
        (root / f"competitors/rival-{i:02d}.yaml").write_text(
            f"name: Rival {i:02d}\ntype: vendor\nsummary: R.\nreviewed: 2026-11-01\n", "utf-8"
        )
    claim = root / "differentiators/air-gap-included.yaml"
    versus = "".join(
        f"  - {{competitor: rival-{i:02d}, detail: Beats {i:02d}.}}\n" for i in range(15)
    )
    claim.write_text(claim.read_text("utf-8").replace("versus:\n", f"versus:\n{versus}"), "utf-8")
    cat = check_catalog(Context(catalog=root, as_of=AS_OF))
    assert cat is not None
    rep = make_edition(cat, "rep")
    count = len(rep.competitors)
    assert count > 16
    printed = parse(html.matrix(env, rep, html.Links.for_pdf(root, [THEME_DIR]), medium="print"))
    tables = printed.find_all("table", class_="matrix")
    heads = [
        [th.attrs["data-competitor"] for th in t.find_all("th", class_="col-comp")] for t in tables
    ]
    assert len(tables) == -(-count // 8) and all(len(h) <= 8 for h in heads)
    shown = [c for h in heads for c in h]
    assert sorted(shown) == sorted(rep.competitors)  # each once
    wins = [
        td.attrs["data-competitor"]
        for t in tables
        for tr in t.find_all("tr")
        if tr.attrs.get("data-claim") == "air-gap-included"
        for td in tr.find_all("td", class_="cell-win")
    ]
    assert {f"rival-{i:02d}" for i in range(15)} <= set(wins)
    captions = [t.one("caption").text for t in tables]
    assert captions[1].strip() == f"Competitors 9–16 of {count}."
    web = parse(html.matrix(env, rep, html.Links.for_site(0), medium="web"))
    assert len(web.find_all("table", class_="matrix")) == 1  # the page scrolls sideways


# --- path diagram ----------------------------------------------------------------------------


def test_a_long_path_is_drawn_in_parts_of_four_rows_numbered_as_in_the_path(rep: Edition) -> None:
    """A playbook drew a path of 60 steps as one drawing: its last rows ran over the footer
    and off the page, on no page at all."""
    path = next(p for d in rep.destinations.values() for p in d.paths)
    steps = tuple(
        dataclasses.replace(s, number=n + 1)
        for n, s in enumerate(itertools.islice(itertools.cycle(path.steps), 45))
    )
    long = dataclasses.replace(path, steps=steps)
    starts = list(html.path_parts(long))
    assert starts == [0, html.PART_STEPS, 2 * html.PART_STEPS] and html.PART_STEPS == 20
    drawn = [
        [int(n) for n in re.findall(r'data-step="(\d+)"', str(html.path_svg(long, part=start)))]
        for start in starts
    ]
    assert drawn == [list(range(1, 21)), list(range(21, 41)), list(range(41, 46))]
    ids = [re.search(r'<title id="([^"]+)"', str(html.path_svg(long, part=n))) for n in starts]
    assert [m.group(1) for m in ids if m] == [
        f"path-{path.id}--t",
        f"path-{path.id}--2--t",
        f"path-{path.id}--3--t",
    ]
    # a path of up to twenty steps is the one drawing it was
    assert list(html.path_parts(path)) == [0]
    assert html.path_svg(path, part=0) == html.path_svg(path)


def _svg(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # well-formed XML, or this raises


def test_path_svg_has_one_numbered_box_per_step(rep: Edition) -> None:
    ns = {"s": "http://www.w3.org/2000/svg"}
    for path in rep.paths.values():
        svg = _svg(html.path_svg(path, current=path.steps[1].play))
        steps = svg.findall("s:g[@class='step']", ns)
        assert [g.get("data-step") for g in steps] == [str(s.number) for s in path.steps]
        for g, step in zip(steps, path.steps, strict=True):
            assert g.find("s:rect", ns) is not None
            words = " ".join("".join(t.itertext()) for t in g.findall("s:text", ns))
            assert words.split()[0] == str(step.number)
            assert (step.play_name or "").split()[0] in words
        assert len(svg.findall("s:g[@class='arrow']", ns)) == len(path.steps) - 1
        assert svg.find("s:title", ns).text == path.name  # type: ignore[union-attr]


def test_path_svg_escapes_text_and_refers_to_nothing_outside() -> None:
    steps = tuple(
        StepView(i, f"p{i}", f'Play <{i}> & "co"', "stage </svg><script>", (), None)
        for i in range(1, 8)
    )
    markup = str(html.path_svg(PathView("evil", "A <b>path</b>", "d", steps)))
    svg = _svg(markup)
    assert "<script" not in markup and "<b>" not in markup
    assert "A <b>path</b>" in "".join(svg.itertext())
    outside = markup.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not re.search(r"(?:xlink:)?href=|https?:|url\((?!#)", outside)
    boxes = svg.findall("{http://www.w3.org/2000/svg}g[@class='step']")
    assert len(boxes) == 7
    tops = {float(g.find("{http://www.w3.org/2000/svg}rect").get("y", "")) for g in boxes}  # type: ignore[union-attr]
    assert len(tops) == 2  # wraps onto a second row


# --- playbook --------------------------------------------------------------------------------


def test_a_play_whose_id_is_another_s_section_anchor_is_still_linked_to_itself(
    env: jinja2.Environment, tmp_path: Path
) -> None:
    """Plays recovery-drills and recovery-drills-partner both made
    `play-recovery-drills-partner` (the first's Partner section, the second's card): the
    playbook's contents and path table led to the first play's Partner section. They lead
    to each play's chapter, and a section's anchor is now `play-recovery-drills--partner`,
    so the page holds no id twice."""
    from conftest import base_text, make_catalog

    twin = "recovery-drills-partner"
    path = "paths/resilience-journey.yaml"
    root = make_catalog(
        tmp_path,
        {
            f"plays/{twin}.yaml": base_text("plays/recovery-drills.yaml").replace(
                "name: Recovery drills", "name: Drills through partners"
            ),
            path: base_text(path) + f"  - play: {twin}\n    stage: Drills run in house\n",
        },
    )
    ctx = Context(catalog=root, as_of=dt.date(2026, 11, 30))
    cat = check_catalog(ctx)
    assert cat is not None and not ctx.reporter.errors
    internal = make_edition(cat, "internal")
    links = html.Links.for_pdf(root, [THEME_DIR])
    doc = parse(html.playbook(env, internal, "cyber-resilience", links))
    drills = doc.one("article", class_="card", data_play="recovery-drills")
    assert "play-recovery-drills--partner" in [e.attrs.get("id") for e in drills.iter()]
    # a section's anchor joins play and section with `--`, which no id holds: no id twice
    ids = [el.attrs["id"] for el in doc.iter() if "id" in el.attrs]
    assert sorted(i for i in set(ids) if ids.count(i) > 1) == []

    def play_at(anchor: str) -> str:
        """The play of the card a link lands in: the first element of that id, as a
        browser or PDF viewer takes it, and the card holding it (or inside it)."""
        target = next(el for el in doc.iter() if el.attrs.get("id") == anchor)
        for card in doc.find_all("article", class_="card"):
            if any(el is target for el in card.iter()) or card in target.iter():
                return card.attrs["data-play"]
        return ""

    landed = [
        (a.text, play_at(a.attrs["href"][1:]))
        for a in doc.find_all("a")
        if a.attrs.get("href", "").startswith("#")
        and a.text in ("Drills through partners", "Recovery drills")
    ]
    assert landed
    assert set(landed) == {
        ("Drills through partners", twin),
        ("Recovery drills", "recovery-drills"),
    }


def test_playbook_has_cover_contents_path_every_play_and_matrix(
    env: jinja2.Environment, editions: dict[str, Edition]
) -> None:
    internal = editions["internal"]
    links = html.Links.for_pdf(SAMPLE, [THEME_DIR])
    doc = parse(html.playbook(env, internal, "unified-hybrid-cloud", links))
    path = internal.paths["hybrid-cloud-journey"]
    ids = {el.attrs["id"] for el in doc.iter() if "id" in el.attrs}
    targets = [a.attrs["href"] for a in doc.one("nav", class_="toc").find_all("a")]
    assert targets and all(t[1:] in ids for t in targets)  # every contents entry lands
    expected = [f"#chapter-{s.play}" for s in path.steps if s.play]
    assert [t for t in targets if t.startswith("#chapter-")] == expected
    cards = doc.find_all("article", class_="card")
    assert [c.attrs["data-play"] for c in cards] == [s.play for s in path.steps if s.play]
    assert "acme-displacement" in [c.attrs["data-play"] for c in cards]  # internal-only play
    svg = doc.one("svg")
    assert len(svg.find_all("g", class_="step")) == len(path.steps)
    assert doc.one("table", class_="matrix")
    assert "Internal edition" in doc.one("section", class_="cover").text


def test_playbook_leaves_out_an_unwritten_why_and_boxes_fit_their_text(
    env: jinja2.Environment, editions: dict[str, Edition]
) -> None:
    internal = editions["internal"]
    links = html.Links.for_pdf(SAMPLE, [THEME_DIR])
    dest = internal.destinations["unified-hybrid-cloud"]
    assert dest.why_change and dest.why_now  # the sample has both: two boxes, each in a cell
    doc = parse(html.playbook(env, internal, dest.id, links))
    cells = doc.one("section", id="why").one("div", class_="why-grid").children
    assert [c.attrs["class"] for c in cells if isinstance(c, El)] == ["why-cell", "why-cell"]
    half = dataclasses.replace(dest, why_now=None)
    ed = dataclasses.replace(internal, destinations={**internal.destinations, dest.id: half})
    doc = parse(html.playbook(env, ed, dest.id, links))
    whys = doc.one("section", id="why").find_all("div", class_="why")
    assert [w.attrs["class"] for w in whys] == ["why why-anything"]
    none = dataclasses.replace(dest, why_change=None, why_now=None)
    ed = dataclasses.replace(internal, destinations={**internal.destinations, dest.id: none})
    doc = parse(html.playbook(env, ed, dest.id, links))
    assert not doc.find_all("section", id="why") and "Not written yet" not in doc.text
    assert "#why" not in [a.attrs["href"] for a in doc.one("nav", class_="toc").find_all("a")]


# --- overrides and faults ----------------------------------------------------------------------


def test_override_changes_only_its_block(
    tmp_path: Path, env: jinja2.Environment, rep: Edition
) -> None:
    (tmp_path / "battlecard.html").write_text(
        '{% extends "default/battlecard.html" %}{% block title %}X{% endblock %}'
    )
    links = html.Links.for_site(1)
    base = html.battlecard(env, rep, "clean-recovery", links, medium="web")
    custom = html.battlecard(make_env(tmp_path), rep, "clean-recovery", links, medium="web")
    assert custom != base
    assert custom == re.sub(r"<title>.*?</title>", "<title>X</title>", base, count=1)


def test_override_syntax_error_is_located(tmp_path: Path, rep: Edition) -> None:
    override = tmp_path / "battlecard.html"
    override.write_text('{% extends "default/battlecard.html" %}\n\n{% block title %}{{ x }\n')
    with pytest.raises(TemplateFault) as info:
        html.battlecard(
            make_env(tmp_path), rep, "clean-recovery", html.Links.for_site(1), medium="web"
        )
    assert info.value.loc.file == override and info.value.loc.line == 3


def test_override_undefined_variable_is_located(tmp_path: Path, rep: Edition) -> None:
    override = tmp_path / "battlecard.html"
    override.write_text(
        '{% extends "default/battlecard.html" %}\n'
        "{% block title %}\n{{ play.nmae }}\n{% endblock %}\n"
    )
    with pytest.raises(TemplateFault) as info:
        html.battlecard(
            make_env(tmp_path), rep, "clean-recovery", html.Links.for_site(1), medium="web"
        )
    assert info.value.loc.file.resolve() == override.resolve() and info.value.loc.line == 3
    assert "nmae" in str(info.value)


def test_a_step_whose_play_is_not_in_the_edition_is_said_so_everywhere(rep: Edition) -> None:
    """A path step shown without its play (a public path's step naming an internal play):
    its diagram said "a play not in this edition" in English, the rep deck took its stage
    for its name, the portal "No play yet"; one translated label now, the stage its
    caption, and a kit's "Handled by <company>"."""
    from salesplay.labels import labels_for
    from salesplay.render import decks

    shown = rep.paths["hybrid-cloud-journey"]
    hidden = dataclasses.replace(shown.steps[0], play=None, play_name=None)
    path = dataclasses.replace(shown, steps=(hidden, *shown.steps[1:]))
    assert hidden.stage
    gettext = rep.labels.gettext
    assert hidden.label(gettext) == "Not in this edition"
    handled = dataclasses.replace(hidden, handled_by="Northwind")
    assert handled.label(gettext) == "Handled by Northwind"
    steps = decks._steps(path, rep.labels.gettext, public=False)
    assert steps[0].label == "Not in this edition" and steps[0].caption == hidden.stage
    german = labels_for("de").gettext
    svg = str(html.path_svg(path, gettext=german))
    assert "Nicht in dieser Ausgabe" in svg and "Schritt 1:" in svg
    assert "edition" not in svg.lower()


def test_a_path_named_like_another_paths_heading_keeps_its_own_chapter(
    env: jinja2.Environment, tmp_path: Path
) -> None:
    """Paths `resilience-journey` and `resilience-journey-h`: the first one's heading had the
    second one's chapter id, so the contents linked the second path to the first's page."""
    import shutil

    root = tmp_path / "plays"
    shutil.copytree(SAMPLE, root)
    (root / "paths/resilience-journey-h.yaml").write_text(
        "destination: cyber-resilience\nname: A second journey\naudience: public\nsteps:\n"
        "  - play: recovery-drills\n    stage: Wants drills first\n",
        "utf-8",
    )
    cat = check_catalog(Context(catalog=root, as_of=AS_OF))
    assert cat is not None
    internal = make_edition(cat, "internal")
    links = html.Links.for_pdf(root, [THEME_DIR])
    page = html.playbook(env, internal, "cyber-resilience", links)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in set(ids) if ids.count(i) > 1)
    doc = parse(page)
    second = doc.one("section", id="path-resilience-journey-h")
    assert "A second journey" in second.one("h1").text
