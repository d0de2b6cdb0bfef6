"""Competitor cards: what a card gathers from its edition, the pages and PDFs made, who gets them.

Everything but one build is checked on views, plans and HTML; the build renders two PDFs.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pypdf

from conftest import AS_OF, base_text, make_catalog, resolved, run_cli
from salesplay.build import run_build
from salesplay.context import Context
from salesplay.edition import make_edition
from salesplay.families import competitors as family
from salesplay.families import families, owner
from salesplay.families.base import Sources
from salesplay.render import html
from salesplay.render.templates import make_env
from salesplay.resolve import Catalog
from salesplay.views import CompetitorCard

ACME = "competitors/acme.yaml"
BM = "plays/backup-modernization.yaml"
RD = "plays/recovery-drills.yaml"
DISMISS = "Acme backs up 2015; ask what immutability costs on top."
#: a rep-only play that names Acme: partner cards must never name it.
RD_NAME = "Recovery drills"


def acme_everywhere() -> dict[str, str]:
    """Acme visible to partners with a quick dismiss; an objection naming Acme and one not;
    the rep-only play Recovery drills names Acme too."""
    own = "".join(
        line
        for line in base_text(ACME).splitlines(keepends=True)
        if not line.startswith("audience:")
    )
    acme = own.replace("has:", f'quick_dismiss: "{DISMISS}"\nhas:', 1) + "audience: partner\n"
    bm = base_text(BM).replace(
        "objections:\n",
        "objections:\n"
        '  - {objection: "Acme just offered us 40 % off.", response: "Compare three years."}\n',
    )
    rd = base_text(RD).replace(
        "competitors:\n",
        "competitors:\n  - {competitor: acme, talk_track: Ask Acme for its last drill report.}\n",
    )
    return {ACME: acme, BM: bm, RD: rd}


def catalog(tmp_path: Path, edits: dict[str, str], as_of: str = AS_OF) -> Catalog:
    cat, ctx = resolved(tmp_path, edits, as_of)
    assert cat is not None and not ctx.reporter.has_errors(False), ctx.reporter.diagnostics
    return cat


def sources(cat: Catalog, out: Path) -> Sources:
    editions = {a: make_edition(cat, a) for a in ("rep", "partner", "public", "internal")}
    return Sources(cat, editions, None, make_env(None), (), out)


# --- the card, from the edition --------------------------------------------------------


def test_card_gathers_claims_objections_talk_tracks_and_plays(tmp_path: Path) -> None:
    rep = make_edition(catalog(tmp_path, acme_everywhere()), "rep")
    card = CompetitorCard.of(rep, "acme")
    assert card.competitor.quick_dismiss == DISMISS
    assert card.competitor.strengths == ("Large installed base",)
    assert card.competitor.weaknesses == ("Immutability is a paid add-on",)
    # the comparative claim that names Acme, with its detail against Acme
    assert [(c.claim.id, c.detail) for c in card.comparative] == [
        ("immutable-by-default", "Acme charges for immutability as an add-on tier.")
    ]
    # the unique claim of a play Acme is in
    assert [c.claim.id for c in card.unique] == ["anomaly-alerts"]
    # only the objection that names Acme, with the play it comes from
    assert [(o.objection, o.play) for o in card.objections] == [
        ("Acme just offered us 40 % off.", "backup-modernization")
    ]
    assert card.plays == ("backup-modernization", "recovery-drills")
    tracks = {a.play: (a.talk_track, a.landmines) for a in card.talk_tracks}
    assert tracks["backup-modernization"][1] == ("Ask Acme what immutability costs.",)
    assert tracks["recovery-drills"][0] == "Ask Acme for its last drill report."


def test_a_competitor_in_no_play_has_a_card_with_no_plays(tmp_path: Path) -> None:
    edits = acme_everywhere()
    edits[BM] = edits[BM].replace("  - competitor: acme\n", "  - competitor: status-quo\n")
    edits[RD] = base_text(RD)
    card = CompetitorCard.of(make_edition(catalog(tmp_path, edits), "rep"), "acme")
    assert card.plays == () and card.objections == () and card.unique == ()
    assert [c.claim.id for c in card.comparative] == ["immutable-by-default"]  # names Acme


def test_partner_card_names_only_partner_plays_and_no_internal_pricing(tmp_path: Path) -> None:
    partner = make_edition(catalog(tmp_path, acme_everywhere()), "partner")
    card = CompetitorCard.of(partner, "acme")
    assert card.plays == ("backup-modernization",)  # recovery-drills is rep-only
    assert card.competitor.pricing is None  # pricing is internal
    # a kit's narrowed edition: the card names only the kit's plays
    for kit in partner.kits.values():
        if "acme" in kit.cards.competitors:
            assert set(CompetitorCard.of(kit.cards, "acme").plays) <= set(kit.plays)
    registered = partner.kits["registered"]
    assert "backup-modernization" not in registered.plays  # silver and above
    # nor does its edition hold a competitor none of its plays or their claims name
    assert "acme" not in registered.cards.competitors


# --- which outputs, for whom -----------------------------------------------------------


def test_plan_makes_a_pdf_per_edition_that_holds_the_competitor(tmp_path: Path) -> None:
    rels = {u.rel for u in family.plan(sources(catalog(tmp_path, acme_everywhere()), tmp_path))}
    cards = {r for r in rels if not r.startswith("site/")}
    assert cards == {
        "competitors/acme.pdf",
        "competitors/status-quo.pdf",
        "competitors/internal/acme.pdf",
        "competitors/internal/status-quo.pdf",
        "competitors/acme.html",
        "competitors/status-quo.html",
        family.INDEX,
    }
    assert {r for r in rels if r.startswith("site/")} >= {"site/assets/style.css"}


def test_stale_competitor_is_badged_for_reps_and_left_out_for_partners(tmp_path: Path) -> None:
    late = (dt.date.fromisoformat("2026-10-01") + dt.timedelta(days=120)).isoformat()
    cat = catalog(tmp_path, acme_everywhere(), as_of=late)
    src = sources(cat, tmp_path)
    rels = {u.rel for u in family.plan(src)}
    assert "competitors/acme.pdf" in rels
    # partners get competitor cards in their kits, from the partner edition: not when stale
    assert "acme" not in src.editions["partner"].competitors
    page = html.competitor_card(
        src.env, src.editions["rep"], "acme", html.Links.for_site(1), medium="web"
    )
    assert "Last verified 120 days ago" in page


def test_outputs_belong_to_the_family_with_their_audience() -> None:
    for rel, audience in [
        ("competitors/acme.pdf", "rep"),
        ("competitors/public/acme.pdf", "public"),
        ("competitors/acme.html", "rep"),
        (family.INDEX, "rep"),
    ]:
        fam = owner(rel)
        assert fam is not None and fam.name == "competitors", rel
        assert fam.audience_of(rel) == audience
        assert sum(f.owns(rel) for f in families()) == 1
    # the index's name can never be a competitor's id
    assert not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", Path(family.INDEX).stem)


# --- pages ---------------------------------------------------------------------------


def _page(tmp_path: Path) -> tuple[str, str]:
    cat = catalog(tmp_path, acme_everywhere())
    env = make_env(None)
    rep = make_edition(cat, "rep")
    links = family._page_links()
    card = html.competitor_card(env, rep, "acme", links, medium="web", index="all.html")
    return card, html.competitor_index(env, rep, links)


def test_card_page_shows_every_section_and_links_plays_of_its_edition(tmp_path: Path) -> None:
    page, index = _page(tmp_path)
    for text in (
        DISMISS,
        "Where they win",
        "Large installed base",
        "Where they&#39;re weak",
        "Why we win",
        "Acme charges for immutability as an add-on tier.",
        "0 of 500 snapshots altered",  # proof of the comparative claim
        "Objections they plant",
        "Compare three years.",
        "Talk tracks and landmines",
        "Ask Acme what immutability costs.",
        "Plays where they appear",
    ):
        assert text in page, text
    assert "We already have backups." not in page  # an objection that does not name Acme
    hrefs = set(re.findall(r'href="([^"]+)"', page))
    assert "../site/battlecards/backup-modernization.html" in hrefs
    assert "../site/battlecards/recovery-drills.html" in hrefs
    assert "acme.pdf" in hrefs and "all.html" in hrefs
    assert "$40" not in page  # internal pricing
    assert 'href="acme.html"' in index and 'href="status-quo.html"' in index
    assert DISMISS in index


def test_empty_sections_are_left_out(tmp_path: Path) -> None:
    cat = catalog(tmp_path, {})
    page = html.competitor_card(
        make_env(None), make_edition(cat, "rep"), "status-quo", family._page_links(), medium="web"
    )
    # no strengths, weaknesses, dismiss or objections naming it: no such sections
    for heading in ("Where they win", "Where they", "Objections they plant", "Quick dismiss"):
        assert heading not in page, heading
    assert "Price one day of downtime against the project." in page
    assert "Only we flag ransomware" in page  # the unique claim of its play


def test_play_card_shows_strengths_weak_spots_and_links_the_competitor(tmp_path: Path) -> None:
    cat = catalog(tmp_path, acme_everywhere())
    env, rep = make_env(None), make_edition(cat, "rep")
    web = html.battlecard(env, rep, "backup-modernization", html.Links.for_site(1), medium="web")
    matchup = web.split('data-competitor="acme"', 1)[1].split("</section>", 1)[0]
    assert 'href="../../competitors/acme.html"' in matchup
    assert "Large installed base" in matchup and "Immutability is a paid add-on" in matchup
    links = html.Links.for_pdf(cat.root, ())
    printed = html.battlecard(env, rep, "backup-modernization", links, medium="print")
    assert "Large installed base" in printed and "competitors/acme.html" not in printed


# --- the field -------------------------------------------------------------------------


def test_quick_dismiss_is_checked_like_other_text(tmp_path: Path) -> None:
    acme = base_text(ACME).replace("has:", "quick_dismiss: [one, two]\nhas:", 1)
    root = make_catalog(tmp_path, {ACME: acme})
    result = run_cli("check", "--catalog", str(root), "--as-of", AS_OF, cwd=tmp_path)
    assert result.code == 1
    assert any(
        re.match(r".*competitors/acme\.yaml:4:16: error: .*quick_dismiss", line)
        for line in result.diagnostics
    ), result.diagnostics
    jargon = base_text(ACME).replace("has:", "quick_dismiss: Their RTO is a guess.\nhas:", 1)
    root = make_catalog(tmp_path, {ACME: jargon}, name="jargon")
    result = run_cli("check", "--catalog", str(root), "--as-of", AS_OF, cwd=tmp_path)
    assert any("acme.yaml:4:" in d and "'RTO'" in d for d in result.diagnostics), result.lines


# --- one build: two PDFs ---------------------------------------------------------------


def test_build_makes_cards_within_two_pages_and_the_kit_card_holds_no_rep_play(
    tmp_path: Path,
) -> None:
    edits = acme_everywhere()
    edits["competitors/status-quo.yaml"] = "audience: internal\n" + base_text(
        "competitors/status-quo.yaml"
    )
    root = make_catalog(tmp_path, edits)
    out = tmp_path / "build"
    ctx = Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF), out=out)
    assert run_build(ctx, ["competitors"]) == 0
    pdfs = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf"))
    # partners get theirs in their kits only, made from their tier's kit edition; the
    # internal card (the deal desk's) is the one an internal competitor gets
    assert pdfs == [
        "competitors/acme.pdf",
        "competitors/internal/acme.pdf",
        "competitors/internal/status-quo.pdf",
    ]
    reader = pypdf.PdfReader(io.BytesIO((out / pdfs[0]).read_bytes()))
    assert 1 <= len(reader.pages) <= family.CARD_PAGE_BUDGET
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert DISMISS in text
    assert RD_NAME in text
    src = sources(catalog(tmp_path / "again", edits), tmp_path)
    gold = src.editions["partner"].kits["gold"]
    kit_card = html.competitor_card(
        src.env, gold.cards, "acme", html.Links.for_pdf(root, src.template_dirs), medium="print"
    )
    assert "Partner edition" in kit_card
    assert RD_NAME not in kit_card
    assert "Backup modernization" in kit_card
    assert (out / "competitors/acme.html").is_file() and (out / family.INDEX).is_file()
    assert (out / "site/assets/style.css").is_file()  # what the pages link to


def test_the_internal_card_holds_the_internal_pricing_intelligence_and_the_rep_card_not(
    tmp_path: Path,
) -> None:
    """Internal `pricing:` had reached only feed/internal.json: the internal card shows it."""
    price = "List ~$40/TB; discounts to 45% at renewal."  # acme's, internal
    edits = acme_everywhere()
    assert price in edits["competitors/acme.yaml"]
    src = sources(catalog(tmp_path, edits), tmp_path)
    links = html.Links.for_pdf(src.cat.root, src.template_dirs)
    internal, rep = (
        html.competitor_card(src.env, src.editions[a], "acme", links, medium="print")
        for a in ("internal", "rep")
    )
    assert price in internal and "Pricing intelligence" in internal
    assert "$40" not in rep and "Pricing intelligence" not in rep


def test_a_long_play_name_wraps_on_the_card_instead_of_running_off_the_page(
    tmp_path: Path,
) -> None:
    """ "Plays where they appear" kept each name on one line: a name of 150 characters ran
    off the page's right edge, its end cut away on the rep's, the internal and the kits'
    cards."""
    import pypdfium2 as pdfium

    long = (
        "Backup modernization for hospitals, clinics, care homes and regional laboratories"
        " that still keep their nightly copies on tape in the basement ENDOFNAME"
    )
    play = "plays/backup-modernization.yaml"
    make_catalog(
        tmp_path, {play: base_text(play).replace("name: Backup modernization", f"name: {long}")}
    )
    done = run_cli("build", "--as-of", AS_OF, "--only", "competitors", "--jobs", "1", cwd=tmp_path)
    assert done.code == 0, done.stderr
    pdf = pdfium.PdfDocument(tmp_path / "build/competitors/acme.pdf")
    found = 0
    for page in pdf:
        width = page.get_width()
        text = page.get_textpage()
        searcher = text.search("ENDOFNAME")
        while (hit := searcher.get_next()) is not None:
            start, count = hit
            right = max(text.get_charbox(i)[2] for i in range(start, start + count))
            assert right <= width, (right, width)
            found += 1
    assert found


def test_a_talk_track_longer_than_a_page_runs_on_to_the_next_one(tmp_path: Path) -> None:
    """Talk tracks sit two by two in boxes that never split across pages: one of 4,800
    characters ran off the bottom of the card, a third of it on no page."""
    import pypdfium2 as pdfium

    words = [f"w{i:04d}" for i in range(800)]
    play = "plays/recovery-drills.yaml"
    old = 'talk_track: "Price one day of downtime against the project."'
    make_catalog(tmp_path, {play: base_text(play).replace(old, f"talk_track: {' '.join(words)}")})
    done = run_cli("build", "--as-of", AS_OF, "--only", "competitors", "--jobs", "1", cwd=tmp_path)
    assert done.code == 0, done.stderr
    pdf = pdfium.PdfDocument(tmp_path / "build/competitors/status-quo.pdf")
    shown: set[str] = set()
    for page in pdf:
        height = page.get_height()
        text = page.get_textpage()
        for start, count in _hits(text, "w0"):
            bottom = min(text.get_charbox(i)[1] for i in range(start, start + count))
            assert bottom >= 0 and max(text.get_charbox(start)[3], 0) <= height
        shown |= set(re.findall(r"w\d{4}", text.get_text_range()))
    assert len(pdf) >= 2 and shown == set(words)


def _hits(text: object, word: str) -> list[tuple[int, int]]:
    searcher = text.search(word)  # type: ignore[attr-defined]
    found = []
    while (hit := searcher.get_next()) is not None:
        found.append(hit)
    return found
