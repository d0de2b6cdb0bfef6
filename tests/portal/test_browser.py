"""The rep portal in a real browser (Debian's chromium): search, filters, links, keyboard, phone."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from test_serve_engine import DE_CARD, say, translated

from conftest import copy_sample
from salesplay.build import run_build
from salesplay.context import Context
from salesplay.serve import ServeOptions, Server, Status

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "plays"
ARTIFACTS = REPO / "tests" / "artifacts"
AS_OF = "2026-11-23"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
#: what the portal links to; playbooks and kits are not needed.
KINDS = ["site", "reports", "battlecards", "decks", "matrix", "competitors", "partners"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed at /usr/bin/chromium (`make test` installs it)",
)


class Portal:
    """The sample built once, a chromium launched once, and a server over the same build."""

    def __init__(self, out: Path, browser: sync_api.Browser, server: Server) -> None:
        self.out, self.browser, self.server = out, browser, server

    def base(self, how: str) -> str:
        if how == "file":
            return (self.out / "site").as_uri()
        return f"http://127.0.0.1:{self.server.port}/site"


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    root = tmp_path_factory.mktemp("browser")
    catalog = root / "plays"
    copy_sample(catalog, locales=False)
    out = root / "build"
    ctx = Context(catalog=catalog, as_of=dt.date.fromisoformat(AS_OF), out=out)
    assert run_build(ctx, KINDS) == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Serves the same build: its quick rebuild rewrites nothing, the PDFs and decks stay.
    options = ServeOptions(catalog, root / "templates", out, port=0, as_of=AS_OF, slow=())
    with Server(options, log=io.StringIO()) as server, sync_api.sync_playwright() as p:
        wait_until(lambda: server.status.build >= 1, "the server's first build")
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield Portal(out, browser, server)
        finally:
            browser.close()


def wait_until(check: object, what: str, timeout: float = 30) -> None:
    assert callable(check)
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


class Tab:
    """A page whose console errors and uncaught exceptions fail the test."""

    def __init__(self, portal: Portal, viewport: dict[str, int]) -> None:
        self.context = portal.browser.new_context(viewport=viewport)  # type: ignore[arg-type]
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on(
            "console",
            lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

    def close(self) -> None:
        self.context.close()
        assert not self.errors, self.errors


@pytest.fixture
def tab(portal: Portal) -> Iterator[sync_api.Page]:
    t = Tab(portal, DESKTOP)
    yield t.page
    t.close()


def visible_cards(page: sync_api.Page) -> list[str]:
    ids: list[str] = page.eval_on_selector_all(
        "#results .card:not([hidden])", "cards => cards.map(c => c.dataset.play)"
    )
    return ids


def index_entries(page: sync_api.Page) -> dict[str, dict[str, list[str]]]:
    entries: dict[str, dict[str, list[str]]] = page.evaluate(
        "Object.fromEntries(window.SALESPLAY_INDEX.plays.map(p => [p.id, p]))"
    )
    return entries


@pytest.mark.parametrize("how", ["file", "http"])
def test_competitor_search_reaches_its_card_in_two_actions(
    portal: Portal, tab: sync_api.Page, how: str
) -> None:
    tab.goto(f"{portal.base(how)}/index.html")
    tab.fill("#q", "ironclad")  # action 1
    shown = visible_cards(tab)
    entries = index_entries(tab)
    assert shown and len(shown) < len(entries)
    assert all("Ironclad Data" in entries[pid]["competitors"] for pid in shown)
    first = tab.locator(f"#play-{shown[0]} .match")
    assert first.inner_text() == "Competitor: Ironclad Data"
    assert first.locator("mark").inner_text() == "Ironclad"
    assert tab.locator("#count").inner_text() == f"{len(shown)} of {len(entries)} plays match"
    tab.keyboard.press("Enter")  # action 2
    tab.wait_for_url(f"**/battlecards/{shown[0]}.html")
    assert "Ironclad Data" in tab.locator("body").inner_text()


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z0-9]{4,}", text)}


def test_any_word_of_an_objection_finds_its_card_in_two_actions(
    portal: Portal, tab: sync_api.Page
) -> None:
    tab.goto(f"{portal.base('file')}/index.html")
    entries = index_entries(tab)
    by_word: dict[str, set[str]] = {}
    for pid, entry in entries.items():
        for objection in entry["objections"]:
            for word in _words(objection):
                by_word.setdefault(word, set()).add(pid)
    assert len(by_word) > 50
    # each word typed into the box (an input event, as typing makes), in one round trip
    found: dict[str, list[str]] = tab.evaluate(
        """words => Object.fromEntries(words.map(word => {
            const q = document.getElementById("q");
            q.value = word;
            q.dispatchEvent(new Event("input", {bubbles: true}));
            const shown = [...document.querySelectorAll("#results .card:not([hidden])")];
            return [word, shown.map(c => c.dataset.play)];
        }))""",
        sorted(by_word),
    )
    for word, pids in by_word.items():
        assert pids <= set(found[word]), (word, pids, found[word])
    # one word of one objection: typed (1), then its card's title clicked (2)
    tab.fill("#q", "budget")
    match = tab.locator("#play-backup-modernization .match")
    assert match.inner_text() == "Objection: There's no budget this year."
    assert match.locator("mark").all_inner_texts() == ["budget"]
    tab.click("#play-backup-modernization .card-title a")
    tab.wait_for_url("**/battlecards/backup-modernization.html")


def test_search_reads_questions_claims_proof_and_competitor_intel(
    portal: Portal, tab: sync_api.Page
) -> None:
    tab.goto(f"{portal.base('file')}/index.html")
    for query, pid, why in (
        ("network", "clean-recovery", "Discovery question: "),
        ("restore time", "backup-modernization", "Customer result: Contoso Health: "),
        # no play says it itself: what reps know of a competitor the play names counts
        ("security reputation", "clean-recovery", "Ironclad Data — strength: "),
        ("no budget", "backup-modernization", "Objection: "),
    ):
        tab.fill("#q", query)
        shown = visible_cards(tab)
        assert pid in shown, (query, shown)
        text = tab.locator(f"#play-{pid} .match").inner_text()
        assert text.startswith(why), (query, text)
        marked = " ".join(tab.locator(f"#play-{pid} .match mark").all_inner_texts()).lower()
        assert marked == query, (query, marked)  # a phrase is marked whole, and only it
    # Enter opens the best match, not the first play in catalog order
    first = index_entries(tab)
    assert next(iter(first)) != "backup-modernization"
    tab.press("#q", "Enter")
    tab.wait_for_url("**/battlecards/backup-modernization.html")


def search(page: sync_api.Page, query: str) -> list[str]:
    page.fill("#q", query)
    return visible_cards(page)


def reason(page: sync_api.Page, pid: str) -> str:
    text: str = page.locator(f"#play-{pid} .match").inner_text()
    return text


def marked(page: sync_api.Page, pid: str) -> list[str]:
    marks: list[str] = page.locator(f"#play-{pid} .match mark").all_inner_texts()
    return marks


def plays_saying(entries: dict[str, dict[str, Any]], pattern: str) -> set[str]:
    """The plays whose own text matches `pattern` (any field but the id and the jargon
    decoder's terms; the competitors' intel is not in a play's entry)."""
    found = set()
    for pid, entry in entries.items():
        fields = [v for k, v in entry.items() if k not in ("id", "jargon")]
        fields += [meaning for _term, meaning in entry["jargon"]]
        text = json.dumps(fields, ensure_ascii=False)
        if re.search(pattern, text, re.I):
            found.add(pid)
    return found


def test_a_sentence_as_a_rep_heard_it_finds_the_play(portal: Portal, tab: sync_api.Page) -> None:
    """Words around what was heard ("customer says their … are on …") need not match."""
    tab.goto(f"{portal.base('file')}/index.html")
    shown = search(tab, "customer says their backups are on tape")
    assert shown[0] == "backup-modernization"
    assert reason(tab, shown[0]).startswith("Customer today: Backups on tape or a legacy suite")
    assert marked(tab, shown[0]) == ["Backups", "tape"]  # the words that mattered, no more
    assert not tab.locator("#closest").is_visible()
    assert shown == search(tab, "backups tape")
    # a word no play has: the plays matching the most words, first those matching them all
    closest = search(tab, "backups on tape in the basement")
    assert closest[0] == "backup-modernization" and len(closest) >= len(shown)
    assert tab.locator("#closest").inner_text() == (
        "No play matches every word; closest matches first."
    )
    assert not tab.locator("#empty").is_visible()
    # the query is only stop words: they are searched
    assert search(tab, "why now")
    assert not tab.locator("#closest").is_visible()


def test_a_german_sentence_as_a_rep_heard_it_finds_the_play(portal: Portal, tmp_path: Path) -> None:
    """The German portal's stop words are German ones (and English's): "Kunde sagt, der …"
    need not match, while "kein" still must."""
    out = tmp_path / "build"
    ctx = Context(catalog=SAMPLE, as_of=dt.date.fromisoformat(AS_OF), out=out)
    assert run_build(ctx, ["site"]) == 0
    t = Tab(portal, DESKTOP)
    try:
        page = t.page
        page.goto((out / "de" / "site" / "index.html").as_uri())
        heard = search(page, "Kunde sagt, der Versicherer verlangt unveränderliche Backups")
        assert heard[0] == "backup-modernization"
        assert not page.locator("#closest").is_visible()
        assert marked(page, heard[0]) == ["Versicherer", "verlangt", "unveränderliche", "Backups"]
        assert heard == search(page, "Versicherer verlangt unveränderliche Backups")
        # a negation is never a stop word: "kein Budget" is an objection
        assert search(page, "kein Budget")[0] == "backup-modernization"
    finally:
        t.close()


def test_punctuation_plurals_and_typos_find_the_same_plays(
    portal: Portal, tab: sync_api.Page
) -> None:
    tab.goto(f"{portal.base('file')}/index.html")
    entries = index_entries(tab)
    budget = search(tab, "no budget")
    assert budget[0] == "backup-modernization"
    for query in ('"no budget"', "no-budget", "No budget!", "(no) budget"):
        assert search(tab, query) == budget, query
    assert search(tab, "tape,") == search(tab, "tape")
    # off-site and offsite are one word
    offsite = search(tab, "offsite")
    assert offsite == search(tab, "off-site")
    assert set(offsite) == plays_saying(entries, r"off-?site")
    # a plural finds the singular and the other way round, marked as written
    for query, singular in (("tapes", r"\btapes?\b"), ("restores", r"\brestores?\b")):
        said = plays_saying(entries, singular)
        assert said <= set(search(tab, query)), query
    # plays that say "restore" and never "restores"
    assert plays_saying(entries, r"\brestores?\b") - plays_saying(entries, "restores")
    search(tab, "restores")
    assert marked(tab, "clean-recovery")[0].lower() == "restore"
    vms = plays_saying(entries, r"\bVMs?\b")
    assert vms and vms <= set(search(tab, "VM")) and vms <= set(search(tab, "vms"))
    # a typo: the index's word one letter off (a swap is one)
    tape = search(tab, "tape")
    assert search(tab, "tpae") == tape
    assert "tape" in [m.lower() for m in marked(tab, tape[0])]
    acme = {p for p, e in entries.items() if "Acme Backup" in e["competitors"]}
    assert set(search(tab, "Acmee")) == acme
    assert search(tab, "xqzt") == []


def test_what_the_card_shows_is_searchable_with_its_reason(
    portal: Portal, tab: sync_api.Page
) -> None:
    tab.goto(f"{portal.base('file')}/index.html")
    entries = index_entries(tab)
    for query, pid, why in (
        ("first thing ransomware deletes", "backup-modernization", "Why do anything: "),
        ("cheapest moment to switch", "backup-modernization", "Why now: "),
        ("legacy suite", "backup-modernization", "Customer today: "),
        ("economic buyer identified", "backup-modernization", "Qualify: "),
        ("restore-readiness workshop", "backup-modernization", "Next steps: "),
        ("backup specialist", "backup-modernization", "Hand off: "),
        ("recovery point objective", "recovery-drills", "RPO: Recovery point objective"),
    ):
        shown = search(tab, query)
        assert shown and shown[0] == pid, (query, shown)
        assert reason(tab, pid).startswith(why), (query, reason(tab, pid))
    # the glossary meaning finds every play whose card uses the term
    rpo = {p for p, e in entries.items() if "RPO" in dict(e["jargon"])}
    assert rpo and set(search(tab, "recovery point objective")) == rpo
    # the card's "status quo" tag
    quo = {p for p, e in entries.items() if "Do nothing" in e["competitors"]}
    assert set(search(tab, "status quo")) == quo
    assert reason(tab, sorted(quo)[0]) == "Competitor: Do nothing (status quo)"


def test_competitor_intel_never_outranks_or_pads_a_plays_own_text(
    portal: Portal, tab: sync_api.Page
) -> None:
    """Ironclad's weak spot "Hardware refresh every five years." is about Ironclad: it does not
    pull in every play naming Ironclad when a play says "hardware refresh" itself."""
    tab.goto(f"{portal.base('file')}/index.html")
    entries = index_entries(tab)
    ironclad = {p for p, e in entries.items() if "Ironclad Data" in e["competitors"]}
    own = plays_saying(entries, r"hardware refresh")
    assert own and ironclad - own
    assert set(search(tab, "hardware refresh")) == own
    # naming the competitor brings its intel in, under the play's own text
    named = search(tab, "ironclad hardware refresh")
    assert set(named) == ironclad
    assert set(named[: len(own & ironclad)]) == own & ironclad
    assert "Ironclad Data — weak spot: Hardware refresh every five years." in reason(
        tab, sorted(ironclad - own)[0]
    )


def here(page: sync_api.Page) -> str:
    """The page's URL now (page.url follows history.replaceState only after a while)."""
    url: str = page.evaluate("location.href")
    return url


def test_the_url_holds_query_and_filters(portal: Portal, tab: sync_api.Page) -> None:
    base = f"{portal.base('file')}/index.html"
    tab.goto(base)
    tab.fill("#q", "back")
    tab.fill("#q", "backup")  # one burst of typing: one history entry
    assert here(tab) == f"{base}?q=backup"
    tab.select_option("#f-competitor", "Acme Backup")
    assert here(tab) == f"{base}?q=backup&competitor=Acme%20Backup"
    only_acme = visible_cards(tab)
    # the competitor filter leads to the competitor's card
    link = tab.locator("#competitor-cards a")
    assert link.inner_text() == "Acme Backup competitor card"
    tab.go_back()
    assert here(tab) == f"{base}?q=backup"
    assert tab.input_value("#f-competitor") == "" and tab.input_value("#q") == "backup"
    assert not tab.locator("#competitor-cards").is_visible()
    tab.go_back()
    assert here(tab) == base and tab.input_value("#q") == ""
    assert len(visible_cards(tab)) == len(index_entries(tab))
    tab.go_forward()
    tab.go_forward()
    assert tab.input_value("#f-competitor") == "Acme Backup"
    assert visible_cards(tab) == only_acme
    # a shared link opens the same view; Enter opens a card, back returns to the view
    tab.goto(f"{base}?q=backup&competitor=Acme%20Backup")
    assert visible_cards(tab) == only_acme and tab.input_value("#q") == "backup"
    tab.press("#q", "Enter")
    tab.wait_for_url(f"**/battlecards/{only_acme[0]}.html")
    tab.go_back()
    assert visible_cards(tab) == only_acme
    tab.click("#competitor-cards a")
    tab.wait_for_url("**/competitors/acme.html")
    assert "Acme Backup" in tab.locator("h1").inner_text()


def test_a_search_typed_later_is_a_history_entry_of_its_own(
    portal: Portal, tab: sync_api.Page
) -> None:
    """Every search typed after the first was written over the first's entry: Back from
    "tape" went to the empty portal, and "budget" was gone. A burst of typing ends when the
    box loses focus, or after a pause."""
    base = f"{portal.base('file')}/index.html"
    tab.goto(base)
    tab.fill("#q", "budget")
    assert here(tab) == f"{base}?q=budget"
    budget = visible_cards(tab)
    tab.click("h1")  # the box loses focus: the rep reads the results
    tab.fill("#q", "tape")
    assert here(tab) == f"{base}?q=tape"
    tab.go_back()
    assert here(tab) == f"{base}?q=budget" and tab.input_value("#q") == "budget"
    assert visible_cards(tab) == budget
    # a pause without a keystroke ends a burst too (the page's clock run on 2 s)
    tab.goto(base)
    tab.clock.install()
    tab.fill("#q", "budget")
    tab.clock.run_for(2000)
    tab.fill("#q", "tape")
    tab.go_back()
    assert here(tab) == f"{base}?q=budget"


def test_filters_narrow_the_list(tab: sync_api.Page, portal: Portal) -> None:
    tab.goto(f"{portal.base('file')}/index.html")
    entries = index_entries(tab)
    everything = visible_cards(tab)
    assert len(everything) == len(entries)

    tab.select_option("#f-industry", "healthcare")
    by_industry = visible_cards(tab)
    assert 0 < len(by_industry) < len(everything)
    assert all("healthcare" in entries[p]["industries"] for p in by_industry)

    tab.select_option("#f-competitor", "Acme Backup")
    both = visible_cards(tab)
    assert 0 < len(both) < len(by_industry)
    assert all("Acme Backup" in entries[p]["competitors"] for p in both)
    assert not tab.locator("#destinations").is_visible()  # results move up under the search

    tab.click(".filters [data-clear]")
    assert visible_cards(tab) == everything
    assert tab.locator("#destinations").is_visible()

    tab.select_option("#f-destination", "Unified hybrid cloud")
    hybrid = visible_cards(tab)
    assert len(hybrid) == 5
    assert all("Unified hybrid cloud" in entries[p]["destinations"] for p in hybrid)
    tab.select_option("#f-persona", "CISO")
    assert set(visible_cards(tab)) < set(hybrid) or not visible_cards(tab)

    tab.click(".filters [data-clear]")
    tab.fill("#q", "xylophone quartz")
    assert visible_cards(tab) == []
    assert tab.locator("#empty").is_visible()
    tab.click("#empty [data-clear]")
    assert visible_cards(tab) == everything


def test_keyboard(tab: sync_api.Page, portal: Portal) -> None:
    tab.goto(f"{portal.base('file')}/index.html")
    tab.keyboard.press("/")
    assert tab.evaluate("document.activeElement.id") == "q"
    tab.keyboard.type("acme")
    assert len(visible_cards(tab)) >= 1
    tab.keyboard.press("Escape")
    assert tab.input_value("#q") == ""
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.id") == "f-destination"
    outline = tab.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    # The skip link is the first stop and leads to the main content.
    tab.goto(f"{portal.base('file')}/index.html")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.className") == "skip"
    assert tab.locator(".skip").is_visible()


def _check_links(page: sync_api.Page, how: str) -> int:
    urls: list[str] = page.evaluate(
        """[...document.querySelectorAll('a[href], link[href], script[src], img[src]')]
            .map(e => e.href || e.src)"""
    )
    checked = 0
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in ("https", "mailto", "tel") or (parts.scheme == "http" and how == "file"):
            continue
        if parts.fragment and url.split("#")[0] == page.url.split("#")[0]:
            assert page.locator(f"[id='{parts.fragment}']").count() == 1, url
            continue
        if how == "file":
            assert parts.scheme == "file", url
            assert Path(unquote(parts.path)).is_file(), f"{page.url}: {url}"
        else:
            assert page.request.get(url).status == 200, f"{page.url}: {url}"
        checked += 1
    return checked


@pytest.mark.parametrize("how", ["file", "http"])
def test_every_link_and_download_resolves(portal: Portal, tab: sync_api.Page, how: str) -> None:
    base = portal.base(how)
    tab.goto(f"{base}/index.html")
    downloads: list[str] = tab.eval_on_selector_all(
        ".actions a.download", "as => as.map(a => a.href)"
    )
    cards = tab.eval_on_selector_all(".card", "cs => cs.length")
    assert len(downloads) == 2 * cards
    assert any(d.endswith(".pdf") for d in downloads) and any(
        d.endswith(".pptx") for d in downloads
    )
    pages = [f"{base}/{p}" for p in ("index.html", "matrix.html", "report.html", "whats-new.html")]
    pages.append(f"{base}/../partners/index.html")
    pages += tab.eval_on_selector_all(".card-title a", "as => as.map(a => a.href)")
    checked = 0
    for url in pages:
        tab.goto(url)
        checked += _check_links(tab, how)
    assert checked > 100


def _no_sideways_scroll(page: sync_api.Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth"), f"{page.url} scrolls sideways"


#: text a page shows whole: each must fit its box and the screen.
LABELS = "label, button, .nav a, .badge, .chips li, .competitor-cards a, .card-title, .why-label"

#: (element, text, room for it): the placeholder and each select's longest option, as drawn.
DRAWN = """() => {
  const ctx = document.createElement("canvas").getContext("2d");
  const room = (el, extra) => {
    const s = getComputedStyle(el);
    return el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) - extra;
  };
  const width = (el, text) => {
    ctx.font = getComputedStyle(el).font;
    return ctx.measureText(text).width;
  };
  const q = document.getElementById("q");
  const out = [["#q", q.placeholder, width(q, q.placeholder), room(q, 24)]];
  for (const select of [...document.querySelectorAll("select")].filter(s => s.offsetParent)) {
    for (const option of select.options) {
      out.push([select.id, option.text, width(select, option.text), room(select, 20)]);
    }
  }
  return out;
}"""


def _nothing_cut(page: sync_api.Page, width: int) -> None:
    """No label, button or chip is clipped or off-screen; the example search and every filter
    value are drawn whole in their boxes."""
    cut: list[str] = page.eval_on_selector_all(
        LABELS,
        f"""els => els.filter(e => e.offsetParent !== null).filter(e => {{
            const r = e.getBoundingClientRect();
            return e.scrollWidth > e.clientWidth + 1 || r.left < 0 || r.right > {width};
        }}).map(e => e.outerHTML.slice(0, 120))""",
    )
    assert not cut, f"{page.url}: cut at {width} px: {cut}"
    for where, text, drawn, room in page.evaluate(DRAWN):
        assert drawn <= room, f"{where}: {text!r} needs {drawn:.0f} px, has {room:.0f}"


def visible_partners(page: sync_api.Page) -> list[str]:
    ids: list[str] = page.eval_on_selector_all(
        "#partner-list .partner:not([hidden])", "items => items.map(i => i.id.slice(9))"
    )
    return ids


def test_a_card_finds_the_partners_who_sell_its_play_in_a_region(
    portal: Portal, tab: sync_api.Page
) -> None:
    """From a card, one click: the partners whose kits hold the play; one more, those of a
    region. The choice is in the URL, and Clear shows every partner again."""
    tab.goto(f"{portal.base('file')}/battlecards/backup-modernization.html")
    tab.click("text=Find a partner who sells this play")
    tab.wait_for_url("**/partners/index.html?play=backup-modernization")
    data = json.loads(tab.locator("#partner-data").text_content() or "{}")
    every = tab.eval_on_selector_all(
        "#partner-list .partner",
        "items => items.map(i => [i.id.slice(9), i.dataset.tier, i.dataset.regions])",
    )
    selling = [pid for pid, tier, _ in every if "backup-modernization" in data["tiers"][tier]]
    assert 0 < len(selling) < len(every)  # the registered tier's kit does not hold it
    assert visible_partners(tab) == selling
    assert tab.locator("#partner-count").inner_text() == (
        f"{len(selling)} of {len(every)} partners match"
    )
    tab.select_option("#f-region", "Germany")
    german = [
        pid for pid, _, regions in every if pid in selling and "Germany" in regions.split("\n")
    ]
    assert german and visible_partners(tab) == german
    assert "region=Germany" in tab.url and "play=backup-modernization" in tab.url
    tab.select_option("#f-region", "Oman")
    if not [pid for pid, _, regions in every if pid in selling and "Oman" in regions.split("\n")]:
        assert tab.locator("#partner-none").is_visible()
    tab.click("[data-clear]")
    assert visible_partners(tab) == [pid for pid, _, _ in every]
    assert tab.locator("#partner-count").inner_text() == f"{len(every)} partners"


def test_a_region_in_the_url_chooses_its_option_however_it_is_written(
    portal: Portal, tab: sync_api.Page
) -> None:
    """The page makes one option of "Germany", "germany " and "Germany" with a no-break
    space, named as the first partner listed writes it; a link with another spelling chose
    none and showed every partner, with no sign that its filter was dropped."""
    partners = f"{portal.base('file')}/../partners/index.html"
    tab.goto(f"{partners}?region=Germany")
    german = visible_partners(tab)
    assert tab.input_value("#f-region") == "Germany" and german
    tab.goto(f"{partners}?region=%20gERMANY%C2%A0")
    assert tab.input_value("#f-region") == "Germany"
    assert visible_partners(tab) == german
    tab.goto(f"{partners}?region=Atlantis")  # no such region: no filter, as before
    assert tab.input_value("#f-region") == ""


def test_screenshots_desktop_and_phone(portal: Portal) -> None:
    base = portal.base("file")
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        t = Tab(portal, viewport)
        page = t.page
        for slug, url in (
            ("home", f"{base}/index.html"),
            ("card", f"{base}/battlecards/backup-modernization.html"),
            ("matrix", f"{base}/matrix.html"),
            ("report", f"{base}/report.html"),
            ("whats-new", f"{base}/whats-new.html"),
            ("partners", f"{base}/../partners/index.html"),
        ):
            page.goto(url)
            _no_sideways_scroll(page)
            page.screenshot(path=str(ARTIFACTS / f"portal-{slug}-{name}.png"), full_page=True)
        page.goto(f"{base}/index.html?q=no%20budget")
        page.screenshot(path=str(ARTIFACTS / f"portal-search-{name}.png"))
        _nothing_cut(page, viewport["width"])
        page.goto(f"{base}/index.html?competitor=Ironclad%20Data")
        _nothing_cut(page, viewport["width"])
        if name == "phone":
            # Readable: body text is not shrunk below 16 px and the search box fits the screen.
            size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
            assert size >= 16
            box = page.locator("#q").bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        t.close()


def test_the_matrix_of_six_competitors_fits_a_laptop_screen(portal: Portal) -> None:
    """At 1280 px the sample's matrix (six competitors) shows every column, the plays that
    use each claim included, without scrolling sideways; on a phone it scrolls in its box."""
    base = portal.base("file")
    for viewport, fits in ((DESKTOP, True), (PHONE, False)):
        t = Tab(portal, viewport)
        t.page.goto(f"{base}/matrix.html")
        columns = t.page.eval_on_selector_all(".matrix thead th", "ths => ths.length")
        assert columns == 8  # the claim, six competitors, the plays
        wide, room = t.page.eval_on_selector(".table-wrap", "w => [w.scrollWidth, w.clientWidth]")
        assert (wide <= room) is fits, (viewport, wide, room)
        _no_sideways_scroll(t.page)
        t.close()


def test_on_a_phone_the_first_result_shows_above_the_fold(portal: Portal) -> None:
    """The four filters fold behind a toggle at phone width, so a search's first result is
    on the first screen; a shared link's filter opens them; the desktop is unchanged."""
    base = portal.base("file")
    t = Tab(portal, PHONE)
    page = t.page
    page.goto(f"{base}/index.html?q=backups%20on%20tape")
    first = page.locator("#results .card:not([hidden])").first
    title = first.locator(".card-title").bounding_box()
    summary = first.locator(".summary").bounding_box()
    assert title is not None and summary is not None
    assert summary["y"] + summary["height"] <= PHONE["height"], summary
    page.screenshot(path=str(ARTIFACTS / "portal-search-folded-phone.png"))
    toggle = page.locator("#filters-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("#f-industry").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert toggle.inner_text() == "Filters"
    page.select_option("#f-industry", "healthcare")
    assert page.locator("#f-industry").is_visible()
    _nothing_cut(page, PHONE["width"])
    # folded again, the toggle says how many filters narrow the results
    toggle.click()
    assert toggle.inner_text() == "Filters (1)"
    toggle.click()
    page.select_option("#f-industry", "")
    assert toggle.inner_text() == "Filters"
    # a shared link with a filter shows the filter chosen
    page.goto(f"{base}/index.html?q=backup&industry=healthcare")
    assert page.locator("#f-industry").is_visible()
    t.close()
    t = Tab(portal, DESKTOP)
    t.page.goto(f"{base}/index.html?q=backups%20on%20tape")
    assert not t.page.locator("#filters-toggle").is_visible()
    assert t.page.locator("#f-industry").is_visible()
    t.close()


@contextlib.contextmanager
def served(
    portal: Portal,
    catalog: Path,
    tmp_path: Path,
    path: str,
    ready: tuple[Callable[[Status], bool], str],
) -> Iterator[tuple[Server, Tab]]:
    """`salesplay serve` of `catalog` (pages only) and a desktop tab on `path`, opened once
    `ready[0](status)` holds and showing the first build; the tab is closed (its console
    checked) when the block ends without a failure."""
    options = ServeOptions(
        catalog, tmp_path / "templates", tmp_path / "build", port=0, as_of=AS_OF, slow=()
    )
    check, what = ready
    with Server(options, log=io.StringIO()) as server:
        wait_until(lambda: check(server.status), what)
        t = Tab(portal, DESKTOP)
        t.page.goto(f"http://127.0.0.1:{server.port}/{path}")
        t.page.wait_for_selector("html[data-salesplay-build='1']")
        yield server, t
        t.close()


def test_served_page_reloads_on_save_and_shows_errors(portal: Portal, tmp_path: Path) -> None:
    catalog = tmp_path / "plays"
    copy_sample(catalog, locales=False)
    play = catalog / "plays" / "clean-recovery.yaml"
    original = play.read_text("utf-8")
    ready = (lambda status: status.build >= 1, "the first build")
    with served(portal, catalog, tmp_path, "", ready) as (_server, t):
        page = t.page
        assert page.locator("text=Clean-room recovery").count() >= 1

        play.write_text(original.replace("name: Clean-room recovery", "name: Clean-room rescue"))
        page.wait_for_selector("html[data-salesplay-build='2']", timeout=30_000)
        assert page.locator(".card-title", has_text="Clean-room rescue").count() == 1

        play.write_text(original.replace("name: Clean-room recovery", "name: [Clean-room"))
        overlay = page.wait_for_selector("#salesplay-errors", timeout=30_000)
        assert overlay is not None
        assert f"{play}:" in overlay.inner_text() and ": error: " in overlay.inner_text()
        page.screenshot(path=str(ARTIFACTS / "portal-serve-error.png"))

        play.write_text(original)
        page.wait_for_selector("html[data-salesplay-build='3']", timeout=30_000)
        assert page.locator("#salesplay-errors").count() == 0
        assert page.locator(".card-title", has_text="Clean-room recovery").count() == 1


def test_a_page_whose_script_comes_after_a_build_ended_reloads(
    portal: Portal, tmp_path: Path
) -> None:
    """The reload script took the build it first saw in the status as the page's: a build
    that ended between the page being served and that first look (a busy browser, a slow
    network) left the page showing the old text for ever. The server writes the counters
    the page was served at on the script's tag, and the script reloads when they differ."""
    catalog = tmp_path / "plays"
    copy_sample(catalog, locales=False)
    play = catalog / "plays" / "clean-recovery.yaml"
    options = ServeOptions(
        catalog, tmp_path / "templates", tmp_path / "build", port=0, as_of=AS_OF, slow=()
    )
    with Server(options, log=io.StringIO()) as server:
        wait_until(lambda: server.status.build >= 1 and not server.status.building, "a build")
        t = Tab(portal, DESKTOP)
        held: list[Any] = []  # the first page's script, held back until the build ends
        t.page.route(
            "**/__salesplay__/reload.js",
            lambda route: route.continue_() if held else held.append(route),
        )
        t.page.goto(f"http://127.0.0.1:{server.port}/", wait_until="commit")
        t.page.wait_for_selector(".card-title >> text=Clean-room recovery")
        text = play.read_text("utf-8")
        play.write_text(text.replace("name: Clean-room recovery", "name: Clean-room rescue"))
        deadline = time.monotonic() + 60
        while not held or server.status.build < 2 or server.status.building:
            assert time.monotonic() < deadline, "timed out waiting for the rebuild"
            t.page.wait_for_timeout(100)  # lets the route's handler run
        held[0].continue_()  # the reloaded page's comes at once
        t.page.wait_for_selector(".card-title >> text=Clean-room rescue", timeout=30_000)
        t.page.wait_for_selector("html[data-salesplay-build='2']")
        t.close()


def test_a_served_page_says_what_a_save_waits_for(portal: Portal, tmp_path: Path) -> None:
    """A save while another build writes into the same folder (`make`) waits for it: the
    served page says so, naming that build's process, and reloads once the save is built."""
    import fcntl
    import os

    catalog = tmp_path / "plays"
    copy_sample(catalog, locales=False)
    play = catalog / "plays" / "clean-recovery.yaml"
    ready = (lambda status: status.build >= 1 and not status.building, "the first build")
    with served(portal, catalog, tmp_path, "", ready) as (_server, t):
        page = t.page
        held = os.open(tmp_path / "build", os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(held, fcntl.LOCK_EX)  # another build into build/
            text = play.read_text("utf-8")
            play.write_text(text.replace("name: Clean-room recovery", "name: Clean-room rescue"))
            note = page.wait_for_selector("#salesplay-waiting", timeout=30_000)
            assert note is not None
            said = note.inner_text()
            assert said.startswith("Your save is waiting for another salesplay build into")
            assert f"(process {os.getpid()})" in said and said.endswith("once it is built.")
            page.screenshot(path=str(ARTIFACTS / "portal-serve-waiting.png"))
        finally:
            os.close(held)
        page.wait_for_selector("html[data-salesplay-build='2']", timeout=30_000)
        assert page.locator("#salesplay-waiting").count() == 0
        assert page.locator(".card-title", has_text="Clean-room rescue").count() == 1


def test_a_translated_page_reloads_when_its_locale_is_rebuilt(
    portal: Portal, tmp_path: Path
) -> None:
    """A German page waits for the pass that rebuilds every locale's pages (Status.pages),
    not the first pass, which rebuilds the source locale's only."""
    catalog = translated(tmp_path)
    ready = (lambda status: status.pages >= 1, "every locale's pages")
    with served(portal, catalog, tmp_path, DE_CARD, ready) as (server, t):
        say(catalog, "Restores proven every quarter.")
        t.page.wait_for_selector("html[data-salesplay-build='2']", timeout=30_000)
        assert t.page.locator("text=Restores proven every quarter.").count() >= 1
        assert server.status.pages == 2
