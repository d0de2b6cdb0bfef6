"""The rep portal's static pages: search index, links, semantics and the marketers' report."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from salesplay.build import run_build
from salesplay.context import Context
from salesplay.edition import make_edition
from salesplay.images import site_name
from salesplay.pipeline import check_catalog
from salesplay.render import portal, search

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "plays"
THEME = REPO / "src/salesplay/themes/default"
AS_OF = dt.date(2026, 11, 23)
INDEX_PREFIX = f"window.{search.INDEX_GLOBAL} = "
#: only these keys, per play, may reach the search index (it is scanned for leaks).
INDEX_KEYS = {
    "id",
    "name",
    "summary",
    "triggers",
    "competitors",
    "industries",
    "personas",
    "destinations",
    "objections",
    "responses",
    "discovery",
    "claims",
    "proof",
    "talk_tracks",
    "landmines",
    "why_anything",
    "why_now",
    "stages",
    "goals",
    "signals",
    "qualification",
    "next_steps",
    "handoff",
    "jargon",
    "kinds",
}
COMPETITOR_KEYS = {"id", "name", "href", "strengths", "weaknesses", "dismiss"}


def build_site(
    catalog: Path, out: Path, templates: Path | None = None, kinds: list[str] | None = None
) -> tuple[int, Context]:
    ctx = Context(catalog=catalog, as_of=AS_OF, templates=templates, out=out)
    return run_build(ctx, kinds or ["site", "reports"]), ctx


def rep_edition(catalog: Path) -> Any:
    cat = check_catalog(Context(catalog=catalog, as_of=AS_OF))
    assert cat is not None
    return make_edition(cat, "rep")


def read_index(site: Path) -> dict[str, list[dict[str, Any]]]:
    text = (site / portal.INDEX_JS).read_text(encoding="utf-8")
    assert text.startswith(INDEX_PREFIX) and text.rstrip().endswith(";")
    data: dict[str, list[dict[str, Any]]] = json.loads(
        text[len(INDEX_PREFIX) :].rstrip().removesuffix(";")
    )
    return data


class Page(HTMLParser):
    """Just enough of a page to check its links, labels and landmarks."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def urls(self) -> Iterator[str]:
        for _, attrs in self.tags:
            for key in ("href", "src"):
                value = attrs.get(key)
                if value:
                    yield value


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("portal") / "build"
    code, _ = build_site(SAMPLE, out)
    assert code == 0
    return out


@pytest.fixture(scope="module")
def rep_plays() -> set[str]:
    cat = check_catalog(Context(catalog=SAMPLE, as_of=AS_OF))
    assert cat is not None
    return set(make_edition(cat, "rep").plays)


def test_site_files(sample: Path) -> None:
    site = sample / "site"
    for rel in (
        "index.html",
        "search-index.js",
        "matrix.html",
        "report.html",
        "assets/portal/portal.css",
        "assets/portal/portal.js",
        "assets/fonts.css",
        site_name("assets/northwind.svg"),
    ):
        assert (site / rel).is_file(), rel
    assert (sample / "reports" / "coverage.html").is_file()


@pytest.mark.parametrize(
    ("locale", "said", "kept"),
    [
        ("de", ["kunde", "sagt", "der", "fur", "uber"], ["kein", "keine", "nicht"]),
        ("ar", ["العميل", "يقول", "في"], ["لا", "ليس", "لم"]),
        ("ja", ["お客様", "顧客"], ["ない"]),
    ],
)
def test_a_translated_portal_ignores_its_language_s_stop_words_and_english_ones(
    sample: Path, locale: str, said: list[str], kept: list[str]
) -> None:
    """Folded as portal.js folds a query (für → fur); negations are never stop words."""
    words = read_index(sample / locale / "site")["stop_words"]
    assert set(said) <= set(words), set(said) - set(words)
    assert {"the", "customer", "says"} <= set(words)
    assert not {*kept, "no", "not"} & set(words)
    assert len(words) == len(set(words))


def test_search_index_holds_the_rep_plays_and_only_the_allowed_fields(
    sample: Path, rep_plays: set[str]
) -> None:
    data = read_index(sample / "site")
    assert set(data) == {"plays", "competitors", "stop_words"}
    assert "the" in data["stop_words"] and "no" not in data["stop_words"]
    entries = data["plays"]
    assert {e["id"] for e in entries} == rep_plays
    for entry in entries:
        assert set(entry) == INDEX_KEYS
    acme = next(e for e in entries if e["id"] == "backup-modernization")
    assert "Acme Backup" in acme["competitors"]
    assert "healthcare" in acme["industries"]
    assert set(acme["destinations"]) == {
        "Cyber-resilient enterprise",
        "Unified hybrid cloud",
    }
    # what reps type: a word of an objection, its response, a question, a claim, a result
    assert "There's no budget this year." in acme["objections"]
    assert any(r.startswith("So did the last three hospitals") for r in acme["responses"])
    assert "How many years of tapes do you keep, and why?" in acme["discovery"]
    assert "Contoso Health: Restore time cut from 3 days to 40 minutes." in acme["proof"]
    assert any("cost" in t for t in acme["talk_tracks"])
    assert any("holiday" in t for t in acme["landmines"])
    assert acme["claims"]
    # Summaries and responses are plain text: no Markdown marks, no HTML.
    for e in entries:
        for text in [e["summary"], *e["responses"], *e["claims"]]:
            assert "**" not in text and "<" not in text, text


def test_search_index_lists_rep_competitors_with_intel_and_card_links(sample: Path) -> None:
    comps = {c["id"]: c for c in read_index(sample / "site")["competitors"]}
    assert set(comps) == set(rep_edition(SAMPLE).competitors)
    for cid, comp in comps.items():
        assert set(comp) == COMPETITOR_KEYS
        assert comp["href"] == f"../competitors/{cid}.html"
    ironclad = comps["ironclad"]
    assert "Strong security reputation with CISOs." in ironclad["strengths"]
    assert "Hardware refresh every five years." in ironclad["weaknesses"]
    assert ironclad["dismiss"].startswith("Fast restores from one box")
    # its pricing is internal: reps never get it, in the index or anywhere in the portal
    assert "$180k" not in (sample / "site" / portal.INDEX_JS).read_text("utf-8")


def test_what_reps_type_lands_in_the_search_index(tmp_path: Path) -> None:
    """The words of the issue ("battery", "false alarms", "network", "pricing") are found when
    an objection, a question, a competitor's weak spot or a customer result holds them."""
    root = tmp_path / "plays"
    shutil.copytree(SAMPLE, root)
    _add_ups_objection(root)
    _edit(
        root,
        "plays/backup-modernization.yaml",
        "  - How many years of tapes do you keep, and why?\n",
        "  - How many false alarms does your monitoring raise a week?\n",
    )
    _edit(
        root,
        "competitors/acme.yaml",
        "weaknesses:\n",
        "weaknesses:\n  - Needs a dedicated replication network.\n",
    )
    _edit(
        root,
        "plays/backup-modernization.yaml",
        "result: Restore time cut from 3 days to 40 minutes.",
        "result: Restore time cut to 40 minutes, with flat pricing.",
    )
    rep = rep_edition(root)
    cards = portal.play_cards(rep, portal.page_links(rep).site)
    play = next(e for e in search.search_entries(cards) if e["id"] == "backup-modernization")
    comps = {c["id"]: c for c in search.competitor_entries(rep, portal.page_links(rep).site)}
    assert "The UPS battery is our real worry." in play["objections"]
    assert "How many false alarms does your monitoring raise a week?" in play["discovery"]
    assert "Contoso Health: Restore time cut to 40 minutes, with flat pricing." in play["proof"]
    assert "Acme Backup" in play["competitors"]  # the search reads its intel through this name
    assert "Needs a dedicated replication network." in comps["acme"]["weaknesses"]


def test_what_the_card_and_its_path_show_land_in_the_search_index(sample: Path) -> None:
    """Reps search what they read on a card: why act, the path's stage and signals, the
    qualification list, next steps, the jargon decoder and the "status quo" tag."""
    entry = next(
        e for e in read_index(sample / "site")["plays"] if e["id"] == "backup-modernization"
    )
    assert entry["why_anything"][0].startswith("Your backups are the first thing ransomware")
    assert "Having copies" not in entry["why_anything"][0]  # the response stays a response
    assert entry["why_now"][0].startswith("Insurers now ask for immutable backups")
    assert "**" not in entry["why_now"][0]
    assert "Backups on tape or a legacy suite; restores untested" in entry["stages"]
    assert "A restore took more than a day" in entry["signals"]
    assert len(entry["signals"]) == len(set(entry["signals"]))
    assert any(g.startswith("All critical workloads immutable") for g in entry["goals"])
    assert "Economic buyer identified" in entry["qualification"]
    assert "Book a 30-minute restore-readiness workshop" in entry["next_steps"]
    assert entry["handoff"][0].startswith("Bring in a Northwind backup specialist")
    terms = dict(entry["jargon"])
    assert terms["immutable"].startswith("Cannot be changed or deleted")
    assert "Do nothing (status quo)" in entry["kinds"]
    assert "Build it yourself (do it yourself)" in entry["kinds"]
    assert not any(k.startswith("Acme") for k in entry["kinds"])  # a vendor has no tag


def test_competitor_tags_in_the_index_follow_the_editions_language() -> None:
    rep = rep_edition(SAMPLE)
    cards = portal.play_cards(rep, portal.page_links(rep).site)
    german = {"status quo": "Status quo (de)", "do it yourself": "Eigenbau"}
    entries = search.search_entries(cards, lambda text: german.get(text, text))
    kinds = {k for e in entries for k in e["kinds"]}
    assert "Do nothing (Status quo (de))" in kinds
    assert all(k.endswith(("(Status quo (de))", "(Eigenbau)")) for k in kinds)


def test_internal_items_of_a_rep_play_stay_out_of_the_search_index(tmp_path: Path) -> None:
    """An internal objection or landmine on a play reps see never reaches the index."""
    root = tmp_path / "plays"
    shutil.copytree(SAMPLE, root)
    _edit(
        root,
        "plays/backup-modernization.yaml",
        "  - objection: We already have backups.\n",
        "  - objection: CANARY-INTERNAL-OBJECTION\n    response: CANARY-INTERNAL-RESPONSE\n"
        "    audience: internal\n"
        "  - objection: We already have backups.\n",
    )
    rep = rep_edition(root)
    cards = portal.play_cards(rep, portal.page_links(rep).site)
    index = search.search_index_js(rep, cards, portal.page_links(rep).site)
    assert "backup-modernization" in index
    assert "CANARY" not in index


def test_placeholder_is_an_example_from_the_catalog(tmp_path: Path) -> None:
    rep = rep_edition(SAMPLE)
    cards = portal.play_cards(rep, portal.page_links(rep).site)
    example = portal.placeholder(rep, cards)
    names = [n.strip() for n in example.removeprefix("e.g. ").split(",")]
    vendors = {c.name for c in rep.competitors.values() if c.type == "vendor"}
    assert names[0] in vendors  # a rival vendor, not "Do nothing"
    assert len(example) <= len("e.g. ") + portal.PLACEHOLDER_CHARS
    root = tmp_path / "plays"
    shutil.copytree(SAMPLE, root)
    for name in ("acme", "ironclad", "stratus"):
        path = root / "competitors" / f"{name}.yaml"
        path.write_text(path.read_text("utf-8").replace("type: vendor", "type: diy"), "utf-8")
    _edit(root, "competitors/cloud-builtin.yaml", "name: ", "name: Zed ")
    rep = rep_edition(root)
    cards = portal.play_cards(rep, portal.page_links(rep).site)
    assert portal.placeholder(rep, cards).startswith("e.g. Zed ")


def test_home_page_offers_the_catalogs_example_and_links_competitor_cards(sample: Path) -> None:
    text = (sample / "site" / "index.html").read_text(encoding="utf-8")
    rep = rep_edition(SAMPLE)
    cards = portal.play_cards(rep, portal.page_links(rep).site)
    assert f'placeholder="{portal.placeholder(rep, cards)}"' in text
    assert "e.g. Acme, insurance" not in text
    assert 'href="../competitors/all_competitors.html"' in text  # the nav
    # each play's Versus chips lead to the competitor cards
    assert 'href="../competitors/ironclad.html"' in text


def test_internal_play_stays_out_of_the_portal(sample: Path) -> None:
    # acme-displacement is internal: its name, talk track and proof never reach the rep portal.
    for path in (sample / "site").rglob("*"):
        if path.suffix in (".html", ".js"):
            text = path.read_text(encoding="utf-8")
            assert "Acme renewal displacement" not in text, path
            assert "win/loss data" not in text, path
            assert "Regional hospital group" not in text, path


def test_js_json_cannot_close_a_script() -> None:
    text = search.js_json({"name": "</script><script>alert(1)</script>", "x": "<!--"})
    assert "<" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>"


def test_home_page_draws_each_path_with_links_to_cards(sample: Path, rep_plays: set[str]) -> None:
    site = sample / "site"
    text = (site / "index.html").read_text(encoding="utf-8")
    for path_id, first, last in (
        ("resilience-journey", "ransomware-readiness-check", "recovery-drills"),
        ("hybrid-cloud-journey", "backup-modernization", "cloud-cost-control"),
    ):
        assert f'href="battlecards/{first}.html"' in text, path_id
        assert f'href="battlecards/{last}.html"' in text, path_id
    # Steps in order: readiness check, modernization, detection, clean recovery, drills.
    block = text[text.index("From nightly backup to proven recovery") :]
    block = block[: block.index("</ol>")]
    steps = re.findall(r'href="battlecards/([a-z0-9-]+)\.html"', block)
    assert steps == [
        "ransomware-readiness-check",
        "backup-modernization",
        "ransomware-detection",
        "clean-recovery",
        "recovery-drills",
    ]
    cards = re.findall(r'<li class="card" id="play-([a-z0-9-]+)"', text)
    assert set(cards) == rep_plays and len(cards) == len(rep_plays)


def test_every_local_link_resolves(sample: Path) -> None:
    site = sample / "site"
    pages = [site / "index.html", site / "matrix.html", site / "report.html"]
    pages.append(site / portal.WHATS_NEW)
    for page in pages:
        for url in Page(page.read_text(encoding="utf-8")).urls():
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "mailto") or url.startswith("#"):
                continue
            assert not parts.scheme and not url.startswith("/"), f"{page.name}: {url} not relative"
            target = (page.parent / unquote(parts.path)).resolve()
            if target in ((sample / "matrix.pdf").resolve(), (sample / portal.PARTNERS).resolve()):
                continue  # the matrix and partners families', beside site/
            if target.suffix in (".pdf", ".pptx") or target.parent.name == "competitors":
                # Built by the other kinds; here only their place is checked.
                assert target.parent.name in ("battlecards", "decks", "competitors"), url
                assert target.parent.parent == sample.resolve(), url
                continue
            assert target.is_file(), f"{page.name}: {url}"


def test_coverage_report_links_into_the_site(sample: Path) -> None:
    page = sample / "reports" / "coverage.html"
    text = page.read_text(encoding="utf-8")
    assert "<style>" in text  # stands alone
    # and takes the theme's typeface from the site beside it (Inter, not a fallback)
    assert '<link rel="stylesheet" href="../site/assets/fonts.css">' in text
    assert (page.parent / "../site/assets/fonts.css").resolve().is_file()
    assert 'href="../site/battlecards/backup-modernization.html"' in text
    assert 'href="../site/index.html"' in text


def test_pages_are_semantic_and_labelled(sample: Path) -> None:
    site = sample / "site"
    for name in ("index.html", "matrix.html", "report.html", portal.WHATS_NEW):
        page = Page((site / name).read_text(encoding="utf-8"))
        assert page.all("html")[0].get("lang") == "en"
        assert len(page.all("h1")) == 1, name
        assert len(page.all("main")) == 1, name
        assert any(n.get("aria-label") for n in page.all("nav")), name
        assert any("width=device-width" in (m.get("content") or "") for m in page.all("meta"))
        for img in page.all("img"):
            assert "alt" in img, name
    home = Page((site / "index.html").read_text(encoding="utf-8"))
    labels = {label.get("for") for label in home.all("label")}
    fields = [*home.all("input"), *home.all("select")]
    assert len(fields) == 5  # the search box and four filters
    for field in fields:
        assert field.get("id") in labels
    assert {s.get("data-filter") for s in home.all("select")} == {
        "destination",
        "industry",
        "persona",
        "competitor",
    }


def test_filters_offer_what_the_index_holds(sample: Path) -> None:
    site = sample / "site"
    text = (site / "index.html").read_text(encoding="utf-8")
    entries = read_index(site)["plays"]
    for key, field in (("industry", "industries"), ("competitor", "competitors")):
        select = text[text.index(f'id="f-{key}"') :]
        select = select[: select.index("</select>")]
        offered = set(re.findall(r'<option value="([^"]+)"', select))
        held = {v for e in entries for v in e[field]}
        assert offered == {v.replace("&", "&amp;") for v in held}


def test_matrix_page_cross_references_plays(sample: Path) -> None:
    text = (sample / "site" / "matrix.html").read_text(encoding="utf-8")
    assert "Only Northwind Systems has this" in text
    assert 'href="battlecards/ransomware-detection.html"' in text
    assert "Last verified 175 days ago" in text  # stale claims are badged for reps


def test_report_lists_stale_claim_with_its_location(sample: Path) -> None:
    text = (sample / "site" / "report.html").read_text(encoding="utf-8")
    assert "plays/differentiators/ten-times-faster-restores.yaml:11:11" in text
    assert "last verified 175 days ago" in text


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (rel, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _add_ups_objection(root: Path) -> None:
    """The backup play gains an objection with words reps type ("UPS battery")."""
    _edit(
        root,
        "plays/backup-modernization.yaml",
        "  - objection: We already have backups.\n",
        "  - objection: The UPS battery is our real worry.\n"
        "    response: Backups run on their own schedule.\n"
        "  - objection: We already have backups.\n",
    )


def test_report_finds_gaps(tmp_path: Path) -> None:
    root = tmp_path / "plays"
    shutil.copytree(SAMPLE, root)
    # An internal play leaves an empty step on a public path for reps.
    _edit(root, "plays/recovery-drills.yaml", "audience: partner\n", "audience: internal\n")
    # Jargon in rep-visible text.
    _edit(
        root,
        "plays/clean-recovery.yaml",
        "summary: Help customers",
        "summary: Help QZXW customers",
    )
    (root / "competitors" / "newco.yaml").write_text(
        "name: Newco Backup\ntype: vendor\nsummary: A new entrant.\nreviewed: 2026-11-01\n",
        encoding="utf-8",
    )
    (root / "differentiators" / "newco-claim.yaml").write_text(
        "claim: Catalog import from any tape format.\ntype: comparative\n"
        "backed_by: [vault/catalog-import]\n"
        "versus:\n  - {competitor: newco, detail: Newco cannot read tapes.}\n"
        "reviewed: 2026-11-01\n",
        encoding="utf-8",
    )
    out = tmp_path / "build"
    code, _ = build_site(root, out)
    assert code == 0
    text = (out / "site" / "report.html").read_text(encoding="utf-8")
    sections = dict(
        re.findall(r'<section class="report-section" id="([a-z-]+)"(.*?)</section>', text, re.S)
    )

    assert "From nightly backup to proven recovery — step 5" in sections["empty-steps"]
    assert "QZXW" in sections["jargon"]
    assert "plays/plays/clean-recovery.yaml:2:" in sections["jargon"]
    assert "Newco Backup" in sections["no-talk-track"]
    assert "plays/competitors/newco.yaml:1:1" in sections["no-talk-track"]
    assert "Catalog import from any tape format." in sections["unused-differentiators"]
    assert "plays/differentiators/newco-claim.yaml:1:1" in sections["unused-differentiators"]
    assert "Nothing to fix." in sections["pathless-destinations"]
    # The internal play's own name is not shown to reps, even in the report.
    assert "Proven recovery with quarterly drills" not in text


def _newco_named_by_clean_recovery(root: Path, entries: str) -> int:
    """A new competitor, Newco, that the sample's clean-recovery play names in `entries`
    (written before its entry for diy-scripts): the line the first of them takes."""
    shutil.copytree(SAMPLE, root)
    (root / "competitors" / "newco.yaml").write_text(
        "name: Newco Backup\ntype: vendor\nsummary: A new entrant.\nreviewed: 2026-11-01\n",
        encoding="utf-8",
    )
    play = root / "plays" / "clean-recovery.yaml"
    entry = "  - competitor: diy-scripts\n"
    text = play.read_text(encoding="utf-8")
    play.write_text(text.replace(entry, entries + entry), encoding="utf-8")
    return text[: text.index(entry)].count("\n") + 1


def test_a_competitor_named_without_a_talk_track_is_placed_at_each_play_naming_it(
    tmp_path: Path,
) -> None:
    root = tmp_path / "plays"
    entries = "  - competitor: newco\n    landmines: [Ask where restores land.]\n"
    line = _newco_named_by_clean_recovery(root, entries)  # the new entry takes this line
    play = root / "plays" / "clean-recovery.yaml"
    out = tmp_path / "build"

    def no_talk() -> tuple[str, str]:
        site = (out / "site" / "report.html").read_text(encoding="utf-8")
        coverage = (out / "reports" / "coverage.html").read_text(encoding="utf-8")
        pattern = r'<section class="report-section" id="no-talk-track"(.*?)</section>'
        found = [re.search(pattern, page, re.S) for page in (site, coverage)]
        assert found[0] and found[1]
        return found[0].group(1), found[1].group(1)

    assert build_site(root, out)[0] == 0
    for section in no_talk():
        # where to add it, and the card that names it; no warning (a play names it)
        assert f"plays/plays/clean-recovery.yaml:{line}:5" in section
        assert "clean-recovery.html" in section and "Newco Backup" in section
        assert "plays/competitors/newco.yaml" not in section
    # two lines above the entry move it: the incremental build says where it is now
    play.write_text("# a note\n# another\n" + play.read_text(encoding="utf-8"), "utf-8")
    assert build_site(root, out)[0] == 0
    for section in no_talk():
        assert f"plays/plays/clean-recovery.yaml:{line + 2}:5" in section


def test_a_competitor_named_twice_is_placed_at_the_entry_reps_see(tmp_path: Path) -> None:
    """A play may name a competitor twice with two audiences (an internal detail beside the
    reps' entry): the report placed the missing talk track at the first entry without one,
    the internal one, where a talk track reaches no rep."""
    root = tmp_path / "plays"
    line = _newco_named_by_clean_recovery(  # the internal entry takes this line
        root,
        "  - competitor: newco\n    audience: internal\n    landmines: [Ask about layoffs.]\n"
        "  - competitor: newco\n    landmines: [Ask where restores land.]\n",
    )
    out = tmp_path / "build"
    assert build_site(root, out)[0] == 0
    pattern = r'<section class="report-section" id="no-talk-track"(.*?)</section>'
    for rel in ("site/report.html", "reports/coverage.html", "de/site/report.html"):
        found = re.search(pattern, (out / rel).read_text(encoding="utf-8"), re.S)
        assert found, rel
        section = found.group(1)
        assert f"plays/plays/clean-recovery.yaml:{line + 3}:5" in section, rel
        assert f"plays/plays/clean-recovery.yaml:{line}:5" not in section, rel


def test_whats_new_outside_git_says_the_history_is_not_available(tmp_path: Path) -> None:
    root = tmp_path / "plays"  # a copy outside any git repository
    shutil.copytree(SAMPLE, root)
    out = tmp_path / "build"
    assert build_site(root, out, kinds=["site"])[0] == 0  # the build does not fail
    text = (out / "site" / portal.WHATS_NEW).read_text(encoding="utf-8")
    assert "The release history is not available" in text
    assert 'aria-current="page"' in text and f'href="{portal.WHATS_NEW}"' in text


def _git(top: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "-C", str(top), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_whats_new_tells_reps_each_release_and_nothing_internal(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    root = top / "plays"
    shutil.copytree(SAMPLE, root)
    _git(top, "init", "-q")
    _git(top, "add", "-A")
    _git(top, "commit", "-q", "-m", "one")
    _git(top, "tag", "v1")
    _add_ups_objection(root)
    # an internal play's change: reps must never read of it
    _edit(
        root,
        "plays/acme-displacement.yaml",
        "  - objection: Acme just offered us 40 % off.\n",
        "  - objection: CANARY-INTERNAL-OBJECTION\n    response: CANARY-INTERNAL-RESPONSE\n"
        "  - objection: Acme just offered us 40 % off.\n",
    )
    _git(top, "commit", "-q", "-am", "two")
    _git(top, "tag", "v2")
    _git(top, "tag", "not-a-release")
    out = tmp_path / "build"
    code, _ = build_site(root, out)
    assert code == 0
    text = (out / "site" / portal.WHATS_NEW).read_text(encoding="utf-8")
    main = text[text.index("<main") : text.index("</main>")]
    assert main.count('<article class="release"') == 1
    assert re.search(r"v2 <span", main) and "1 change since v1" in main
    assert "The UPS battery is our real worry." in main
    assert (
        'href="battlecards/backup-modernization.html#play-backup-modernization--objections"' in main
    )
    assert "CANARY" not in text
    assert "not-a-release" not in text


def test_site_is_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert build_site(SAMPLE, a)[0] == 0
    assert build_site(SAMPLE, b)[0] == 0
    # build/.salesplay/ is the build's bookkeeping (records of when files were written)
    files_a = sorted(
        p.relative_to(a) for p in a.rglob("*") if p.is_file() and ".salesplay" not in p.parts
    )
    files_b = sorted(
        p.relative_to(b) for p in b.rglob("*") if p.is_file() and ".salesplay" not in p.parts
    )
    assert files_a == files_b
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_project_templates_override_the_portal(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    (templates / "portal").mkdir(parents=True)
    (templates / "portal" / "portal.css").write_text("body { color: #123456; }\n", "utf-8")
    (templates / "portal" / "index.html").write_text(
        '{% extends "default/portal/index.html" %}{% block title %}Deal finder{% endblock %}',
        "utf-8",
    )
    out = tmp_path / "build"
    assert build_site(SAMPLE, out, templates)[0] == 0
    assert "#123456" in (out / "site/assets/portal/portal.css").read_text("utf-8")
    assert "<title>Deal finder — Northwind Systems</title>" in (out / "site/index.html").read_text(
        "utf-8"
    )


#: a project's own full copy of portal/layout.html as it was before portal/header.css
#: (7e6539f): it draws the header itself and links only fonts.css and portal.css
OLD_LAYOUT = """<!DOCTYPE html>
<html lang="{{ lang }}" dir="{{ direction }}">
<head>
<meta charset="utf-8">
<title>{% block title %}{{ _("Rep portal") }}{% endblock %} — {{ company.name }}</title>
{% if inline_css %}<style>{{ inline_css }}</style>{% else %}
<link rel="stylesheet" href="{{ links.fonts }}">
<link rel="stylesheet" href="{{ links.css }}">
{% endif %}
<style>{{ brand_css }}</style>
</head>
<body class="portal page-{{ page }}">
<a class="skip" href="#main">{{ _("Skip to content") }}</a>
<header class="top"><div class="top-inner"><a class="brand" href="{{ links.home }}">
<span class="brand-name">{{ company.name }}</span></a></div></header>
<main id="main" tabindex="-1">{% block main %}{% endblock %}</main>
{% block scripts %}{% endblock %}
</body>
</html>
"""


def _sheets_reached(page: Path) -> str:
    """The CSS a browser applies to `page` from its linked sheets, @import followed."""
    text = page.read_text("utf-8")
    todo = [page.parent / h for h in re.findall(r'<link rel="stylesheet" href="([^"]+)">', text)]
    found = []
    while todo:
        sheet = todo.pop(0).resolve()
        css = sheet.read_text("utf-8")
        found.append(css)
        todo += [sheet.parent / h for h in re.findall(r'@import url\("([^"]+)"\)', css)]
    return "\n".join(found)


def test_a_projects_copy_of_an_older_layout_still_styles_its_header(tmp_path: Path) -> None:
    """A layout copied before the header got its own sheet links only portal.css: its
    header was drawn unstyled. portal.css imports the header's sheet."""
    templates = tmp_path / "templates"
    (templates / "portal").mkdir(parents=True)
    (templates / "portal" / "layout.html").write_text(OLD_LAYOUT, "utf-8")
    out = tmp_path / "build"
    assert build_site(SAMPLE, out, templates)[0] == 0
    header = (THEME / portal.HEADER_CSS).read_text("utf-8")
    assert ".top" in header and ".skip" in header
    for page in ("site/index.html", "site/whats-new.html"):
        assert header in _sheets_reached(out / page), page
    # the default layout, which links both, gets it too; the report inlines it once
    default = tmp_path / "default"
    assert build_site(SAMPLE, default)[0] == 0
    assert header in _sheets_reached(default / "site/index.html")
    report = (default / "reports/coverage.html").read_text("utf-8")
    assert portal.HEADER_IMPORT not in report and report.count(".skip {") == 1


def test_a_projects_own_fonts_reach_the_portal_whatever_their_names(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    (templates / "fonts").mkdir(parents=True)
    (templates / "brand").mkdir()
    regular = (THEME / "fonts/Inter-Regular.otf").read_bytes()
    (templates / "fonts/Brand-Regular.otf").write_bytes(regular)
    (templates / "brand/mark.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    # a url() in a comment, on the web or above the theme is none of the portal's files
    (templates / "fonts.css").write_text(
        '@import "brand/extra.css";\n/* url("fonts/Old.otf") */\n'
        '@font-face { font-family: "Brand"; src: url("fonts/Brand-Regular.otf?v=2#x")'
        ' format("opentype"), url(https://fonts.example/b.woff2), url("../../etc/hostname"); }\n',
        "utf-8",
    )
    (templates / "brand/extra.css").write_text(".brand { background: url(mark.svg); }\n")
    out = tmp_path / "build"
    assert build_site(SAMPLE, out, templates)[0] == 0
    assets = out / "site/assets"
    fonts = sorted(p.name for p in (assets / "fonts").iterdir())
    assert fonts == ["Brand-Regular.otf"]  # the project's, not the built-in Inter it replaced
    assert (assets / "fonts/Brand-Regular.otf").read_bytes() == regular
    assert (assets / "brand/extra.css").is_file()
    assert (assets / "brand/mark.svg").is_file()
    assert not (out / "etc").exists() and not (tmp_path / "etc").exists()


def test_a_theme_file_linked_out_of_templates_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY-OUTSIDE-TEMPLATES")
    templates = tmp_path / "templates"
    (templates / "fonts").mkdir(parents=True)
    (templates / "fonts.css").write_text('@font-face { src: url("fonts/Brand.otf"); }\n')
    (templates / "fonts/Brand.otf").symlink_to(secret)
    out = tmp_path / "build"
    code, _ = build_site(SAMPLE, out, templates)
    assert code == 1
    err = capsys.readouterr().err
    assert re.search(r"templates/fonts/Brand\.otf:1: error: theme file 'fonts/Brand\.otf' leads"
                     r" outside templates/", err), err  # fmt: skip
    assert not out.exists()


def test_template_error_is_located_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    templates = tmp_path / "templates"
    (templates / "portal").mkdir(parents=True)
    (templates / "portal" / "report.html").write_text(
        '{% extends "default/portal/report.html" %}\n{% block main %}\n{{ no_such_thing }}\n'
        "{% endblock %}\n",
        "utf-8",
    )
    out = tmp_path / "build"
    code, _ = build_site(SAMPLE, out, templates)
    assert code == 1
    err = capsys.readouterr().err
    assert re.search(r"portal/report\.html:3: error: undefined: 'no_such_thing'", err), err
    assert not out.exists()
