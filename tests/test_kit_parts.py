"""A kit's two parts, the partner program and the channel contact, and tier-safe references,
checked on editions and the HTML a kit is made from (the renders are in test_canary_outputs).

Made from the canary catalog: a registered partner's kit holds `public-play`; a gold partner's
also `modernize` and `gold-play`; `vendor-play` is a partner play whose partner block is
`audience: rep` (in no kit); the path `kit-journey` runs public-play → gold-play →
vendor-play → rep-play.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import posixpath
import re
import shutil
from pathlib import Path

import pytest

from canary import CANARY_ROOT
from conftest import run_cli
from salesplay import kits
from salesplay.context import Context
from salesplay.edition import make_edition
from salesplay.labels import band_wording
from salesplay.pipeline import check_catalog
from salesplay.render import html
from salesplay.render.band import BandMaker, Brand
from salesplay.render.templates import make_env
from salesplay.resolve import Catalog
from salesplay.views import Edition

AS_OF = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def cat() -> Catalog:
    ctx = Context(catalog=CANARY_ROOT, as_of=AS_OF)
    catalog = check_catalog(ctx)
    assert catalog is not None and not ctx.reporter.errors
    return catalog


@pytest.fixture(scope="module")
def partner(cat: Catalog) -> Edition:
    return make_edition(cat, "partner")


@pytest.fixture(scope="module")
def shared(
    cat: Catalog, partner: Edition, tmp_path_factory: pytest.TempPathFactory
) -> kits.KitShared:
    out = tmp_path_factory.mktemp("kit-parts")
    return kits.KitShared(cat, partner, out, make_env(None), None)


def index_of(shared: kits.KitShared, pid: str) -> str:
    return kits.kit_index(shared, pid, kits.member_names(shared, pid)).decode()


def visible_text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page.split("</style>")[-1]).split())


# --- the vendor's channel contact and the partner program ---------------------------------


def test_channel_contact_is_the_catalogs_unless_the_partner_overrides_it(partner: Edition) -> None:
    registered = partner.partners["registered-partner"].channel
    gold = partner.partners["gold-partner"].channel
    assert registered is not None and registered.lines == (
        "Channel Chris",
        "channel@canary.example",
        "+1 555 0199",
    )
    assert gold is not None and gold.lines == ("Gold Desk Gita", "gold-desk@canary.example")
    assert kits.channel_lines("Canary Corp", gold)[0] == (
        "Your channel contact at Canary Corp: Gold Desk Gita"
    )
    assert kits.channel_lines("Canary Corp", None) == ()


def test_program_fields_follow_the_partner_blocks_audience(cat: Catalog) -> None:
    program = make_edition(cat, "partner").plays["public-play"].partner
    assert program is not None
    assert [label for label, _ in program.program] == [
        "Margin",
        "Deal registration",
        "MDF",
        "Certification needed",
        "Incentive",
    ]
    # the block is `audience: partner`: the public edition holds the play, not its program
    assert make_edition(cat, "public").plays["public-play"].partner is None
    # vendor-play's block is `audience: rep`: partners see the play, never its margin
    assert make_edition(cat, "partner").plays["vendor-play"].partner is None
    rep = make_edition(cat, "rep").plays["vendor-play"].partner
    assert rep is not None and rep.margin == "Rep-only margin kqzrep17"


def test_a_public_partner_block_keeps_its_program_out_of_the_public_edition(
    tmp_path: Path,
) -> None:
    """The program is for partners' sellers: a block opened to the public shows its role to
    the public edition, never its margin, deal registration, MDF or incentives."""
    root = tmp_path / "plays"
    shutil.copytree(CANARY_ROOT, root)
    play = root / "plays" / "public-play.yaml"
    text = play.read_text()
    assert text.count("\n  audience: partner\n") == 1  # the partner block's
    play.write_text(text.replace("\n  audience: partner\n", "\n  audience: public\n"))
    ctx = Context(catalog=root, as_of=AS_OF)
    opened = check_catalog(ctx)
    assert opened is not None
    public = make_edition(opened, "public").plays["public-play"].partner
    assert public is not None and public.role  # the block itself is public now
    assert public.program == ()
    shared = make_edition(opened, "partner").plays["public-play"].partner
    assert shared is not None and shared.margin == "Margin kqzprt04: 25 % off list"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("certification", '""', "at least 1 character"),
        ("incentives", "Spiff for every deal", "list"),
        ("mdff", "Funds", "mdf"),
    ],
)
def test_a_bad_program_field_is_one_located_error(
    tmp_path: Path, field: str, value: str, message: str
) -> None:
    root = tmp_path / "plays"
    shutil.copytree(CANARY_ROOT, root)
    play = root / "plays" / "gold-play.yaml"
    play.write_text(
        play.read_text().replace("min_tier: gold,", f"min_tier: gold, {field}: {value},")
    )
    result = run_cli("check", "--catalog", str(root), "--as-of", "2026-11-23", cwd=tmp_path)
    assert result.code == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1, result.stderr
    assert re.match(r"^\S*plays/gold-play\.yaml:10:\d+: error: ", errors[0]), errors[0]
    assert message in errors[0].lower(), errors[0]
    assert "Traceback" not in result.stderr


# --- tier-safe references --------------------------------------------------------------------


def test_a_kit_step_outside_the_kit_reads_handled_by_the_vendor(partner: Edition) -> None:
    registered = partner.kits["registered"].cards.paths["kit-journey"].steps
    # gold-play, vendor-play and rep-play are outside the kit: one step, with nothing of theirs
    assert [(s.number, s.play, s.handled_by) for s in registered] == [
        (1, "public-play", None),
        (2, None, "Canary Corp"),
    ]
    assert (registered[1].stage, registered[1].milestone, registered[1].entry_signals) == (
        None,
        None,
        (),
    )
    gold = partner.kits["gold"].cards.paths["kit-journey"].steps
    assert [(s.play, s.handled_by) for s in gold] == [
        ("public-play", None),
        ("gold-play", None),
        (None, "Canary Corp"),
    ]
    # outside kits nothing changes: the partner edition keeps the step of a hidden play
    assert all(s.handled_by is None for s in partner.paths["kit-journey"].steps)


def test_the_customer_pitch_keeps_a_kit_plays_public_step(partner: Edition) -> None:
    """modernize is in the gold kit but not public: its step keeps its public stage on the
    gold customer pitch (the partner runs it), unnamed; rep-play is handled by the vendor."""
    steps = partner.kits["gold"].pitches.paths["journey"].steps
    assert [(s.play, s.stage, s.handled_by) for s in steps] == [
        (None, "Backups on tape", None),
        (None, None, "Canary Corp"),
    ]


def test_the_registered_index_names_nothing_outside_its_kit(shared: kits.KitShared) -> None:
    page = index_of(shared, "registered-partner")
    for outside in ("gold-play", "kqzgold", "modernize", "Backup modernization", "vendor-play"):
        assert outside not in page
    assert "kqznokit" not in page and "Recovery drills" not in page


# --- the kit's index and customer brief -----------------------------------------------------


def test_the_index_explains_the_two_parts_and_who_to_call(shared: kits.KitShared) -> None:
    page = index_of(shared, "gold-partner")
    text = visible_text(page)
    assert "The kit has two parts" in text
    assert "For your team (folder for-your-team ): for the sellers of Gold Partner only" in text
    assert "not for customers" in text
    assert (
        "For your customers (folder for-your-customers ): what you can hand to customers." in text
    )
    assert (
        "A one-page brief per play and pitch decks, presented by Gold Partner with your logo"
        in text
    )
    assert "Your channel contact at Canary Corp: Gold Desk Gita · gold-desk@canary.example" in text
    # the partner's own contact is for its customers: it is on the customer part only
    assert "Dana Ruiz" not in page and "dana@gold.example" not in page
    assert "manifest" not in text.lower() and "checksum" not in text.lower()
    # what's in it for the partner, per play
    assert "Margin: Margin kqzprt04: 25 % off list" in text
    assert "Certification needed: Certified Recovery Engineer kqzprt07" in text
    for href in (
        "for-your-team/battlecards/gold-play.pdf",
        "for-your-team/decks/modernize-enablement.pptx",
        "for-your-customers/briefs/public-play.pdf",
        "for-your-customers/decks/resilience-pitch.pptx",
    ):
        assert f'href="{href}"' in page


def test_the_index_says_to_extract_the_kit_before_its_first_link(
    shared: kits.KitShared,
) -> None:
    """Windows opens a page double-clicked inside a zip alone, from a temporary folder: every
    link of the index and both logos then fail, and nothing on the page said why."""
    page = index_of(shared, "gold-partner")
    body = page.split("<main>", 1)[1]
    assert body.index("Extract the whole kit first") < body.index("<a href=")
    assert (
        "Extract the whole kit first (on Windows: right-click the zip, then Extract All ) and"
        " open this page from the extracted folder: opened inside the zip, its links cannot"
        " find the files." in visible_text(page)
    )


def test_member_audience_follows_the_part() -> None:
    assert kits.member_audience("p/for-your-customers/briefs/x.pdf") == "public"
    assert kits.member_audience("for-your-customers/decks/x-pitch.pptx") == "public"
    assert kits.member_audience("p/for-your-team/battlecards/x.pdf") == "partner"
    assert kits.member_audience("p/index.html") == "partner"


def test_the_customer_brief_is_public_and_customer_worded(
    shared: kits.KitShared, cat: Catalog
) -> None:
    kit = shared.partner_edition.kits["registered"]
    links = html.Links.for_pdf(cat.root, ())
    page = kits.customer_brief(shared.env, kit.pitches, "public-play", links)
    text = visible_text(page)
    assert "Recovery readiness check" in text and "Why Canary Corp" in text
    assert "Fabrikam Clinics" in text and "Every backup is immutable by default." in text
    # nothing a seller reads: no objection handling, discovery, program or partner role
    for internal in ("kqzprt", "kqzrep", "kqzlr", "We test every year", "How long did your last"):
        assert internal not in page
    assert "Partner edition" not in text and "sellers" not in text
    # the glossary terms it writes, explained for the customer ("immutable" is in a claim)
    assert "Terms on this page immutable Cannot be changed or deleted." in text
    # one brief serves every partner of the tier, some with no `contact:` on their band: it
    # said "their contact is at the foot of the page" to the customers of those too
    assert "Talk to the team that gave you this page." in text
    assert "contact" not in text.lower()


def test_a_brief_in_another_language_says_its_footer_and_page_number_in_it(cat: Catalog) -> None:
    """A German kit's brief ended "Stand: 06.12.2026 · For customers … Page 1 of 1": its
    footer's words were no label, and its page number kept print.css's English."""
    from salesplay.labels import labels_for

    german = labels_for("de")
    edition = make_edition(cat, "public", labels=german)
    page = kits.customer_brief(
        make_env(None, labels=german), edition, "public-play", html.Links.for_pdf(cat.root, ())
    )
    assert "· Für Kunden" in page and "For customers" not in page
    assert 'content: "Seite " counter(page)' in page


def test_a_brief_explains_the_terms_it_writes_and_only_those(tmp_path: Path) -> None:
    """A customer brief had no decoder: a customer read "RPO" unexplained. It explains the
    glossary terms its own texts write; a term only a seller's part of the card writes (a
    discovery question) is the card's decoder's, not the brief's."""
    root = tmp_path / "canary"
    shutil.copytree(CANARY_ROOT, root)
    glossary = root / "glossary.yaml"
    glossary.write_text(
        glossary.read_text("utf-8")
        + "last full restore: The most recent test of every system at once.\n"
        + "readiness check: A one-week test of recovery.\n"
    )
    ctx = Context(catalog=root, as_of=AS_OF)
    catalog = check_catalog(ctx)
    assert catalog is not None
    public = make_edition(catalog, "public").plays["public-play"]
    assert [term for term, _ in public.brief_decoder] == ["immutable", "readiness check"]
    assert "last full restore" in [term for term, _ in public.decoder]
    # only a public edition's plays carry one: a brief is made from it
    assert make_edition(catalog, "rep").plays["public-play"].brief_decoder == ()


# --- band wording -----------------------------------------------------------------------------


def test_team_and_customer_bands_say_who_reads_them(tmp_path: Path) -> None:
    import io

    import pypdf

    with BandMaker(roots=(tmp_path,), as_of=AS_OF, width_pt=595.28, height_pt=60.0) as maker:
        team = maker.band(
            Brand.team("Gold Partner", None, ("Your channel contact: Gita",), "#0B5FFF")
        )
        customer = maker.band(Brand("Gold Partner", None, ("Dana Ruiz",)))

    def text(pdf: bytes) -> str:
        return " ".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())

    assert "For the sellers of Gold Partner — not for customers" in text(team)
    assert "Presented by" not in text(team)
    assert "Presented by Gold Partner" in text(customer)
    assert "Your partner" not in text(team) + text(customer)


def test_the_team_wording_names_the_partner_without_a_possessive(
    shared: kits.KitShared, tmp_path: Path
) -> None:
    """A possessive reads wrong ("Harbor Lane Networks's sellers", "Élan Cloud Services's"):
    every team marking (band, deck, index, what's new) says "the sellers of <partner>"."""
    assert band_wording(shared.partner_edition.labels, "team") == (
        "For the sellers of ",
        " — not for customers",
    )
    with BandMaker(roots=(tmp_path,), as_of=AS_OF, width_pt=595.28, height_pt=60.0) as maker:
        band = maker.band(Brand.team("Harbor Lane Networks", None, (), "#0B5FFF"))
    import io

    import pypdf

    drawn = " ".join(pypdf.PdfReader(io.BytesIO(band)).pages[0].extract_text().split())
    assert "For the sellers of Harbor Lane Networks — not for customers" in drawn
    index = visible_text(index_of(shared, "gold-partner"))
    assert "for the sellers of Gold Partner only" in index
    partner = shared.partner_edition.partners["gold-partner"]
    kit = shared.partner_edition.kits[partner.tier]
    news = kits.whats_new_page(shared.env, kit, "", [], None, partner)
    assert "For the sellers of Gold Partner — not for customers." in news
    for page in (drawn, index, news):
        assert "'s sellers" not in page and "&#39;s sellers" not in page


def test_the_what_is_in_it_for_you_note_speaks_to_the_partners_sellers(
    cat: Catalog, partner: Edition
) -> None:
    """The enablement deck is the partner's own sellers': its note is theirs, never a vendor
    rep's advice about "partners" and "them"."""
    from salesplay.labels import labels_for
    from salesplay.render import decks

    def note(edition: Edition) -> str:
        slides = decks.partner_enablement_slides(edition, "public-play")
        (wiifm,) = [s for s in slides if s.title == edition.labels.gettext("What's in it for you")]
        return wiifm.notes

    english = note(partner)
    assert english == (
        "Check the margin and the services you can attach before you plan your first calls."
    )
    assert "Partners" not in english and "them" not in english
    german = note(make_edition(cat, "partner", labels=labels_for("de")))
    assert german.startswith("Prüfen Sie die Marge")


def test_the_what_is_in_it_for_you_slide_leaves_out_a_label_with_nothing_after_it(
    partner: Edition,
) -> None:
    """A play's `partner:` block with no role and no value gave the enablement deck "Your
    role" and "Your value" with nothing after them; the card leaves them out, and so does
    the deck now."""
    import dataclasses

    from salesplay.render import decks

    def body(edition: Edition) -> str:
        slides = decks.partner_enablement_slides(edition, "public-play")
        (wiifm,) = [s for s in slides if s.title == "What's in it for you"]
        return " | ".join(p.text for p in wiifm.body)

    play = partner.plays["public-play"]
    assert play.partner is not None and play.partner.role and play.partner.value
    assert "Your role" in body(partner) and "Your value" in body(partner)
    bare = dataclasses.replace(play.partner, role=None, value="  ")
    plays = {**partner.plays, "public-play": dataclasses.replace(play, partner=bare)}
    said = body(dataclasses.replace(partner, plays=plays))
    assert "Your role" not in said and "Your value" not in said
    assert "Open to" in said  # the tier it is open to, still


@pytest.mark.parametrize(
    ("briefs", "decks", "logo", "contact", "says"),
    [
        (
            False,
            True,
            False,
            True,
            "Pitch decks, presented by Harbor Lane with your contact details.",
        ),
        (
            True,
            False,
            True,
            False,
            "A one-page brief per play, presented by Harbor Lane with your logo.",
        ),
        (False, True, False, False, "Pitch decks, presented by Harbor Lane."),
        (
            True,
            True,
            True,
            True,
            "and pitch decks, presented by Harbor Lane with your logo and your",
        ),
    ],
)
def test_the_index_says_what_the_customer_part_holds(
    partner: Edition, briefs: bool, decks: bool, logo: bool, contact: bool, says: str
) -> None:
    """No "pages" when the kit has no customer briefs, no "your logo" for a partner without
    one (harbor-lane in the sample), no "contact details" without a contact."""
    from salesplay.render.templates import render

    gold = partner.partners["gold-partner"]
    harbor = dataclasses.replace(
        gold, name="Harbor Lane", contact=gold.contact if contact else None
    )
    page = render(
        make_env(None),
        "kit_index.html",
        edition=partner,
        public=partner,
        partner=harbor,
        partner_id="harbor-lane",
        plays=[],
        briefs=["public-play"] if briefs else [],
        destinations=["resilience"] if decks else [],
        competitors=[],
        channel=None,
        team=kits.TEAM,
        customers=kits.CUSTOMERS,
        files=["assets/partner-logo.png"] if logo else [],
        brand_css="",
    )
    text = visible_text(page)
    assert says in text
    assert "pages and decks" not in text
    assert ("your logo" in text) is logo
    assert ("contact details" in text) is contact


def test_a_partner_without_logo_or_contact_is_not_promised_them(shared: kits.KitShared) -> None:
    text = visible_text(index_of(shared, "registered-partner"))
    assert "A one-page brief per play and pitch decks, presented by Registered Partner." in text
    assert "your logo" not in text and "contact details" not in text


def test_the_kits_whats_new_page_links_back_to_its_index(shared: kits.KitShared) -> None:
    """`for-your-team/whats-new.html` leads back to the kit's index.html; its PDF, made from
    the same template without a partner, has no index beside it and so no link."""
    partner = shared.partner_edition.partners["gold-partner"]
    kit = shared.partner_edition.kits[partner.tier]
    page = kits.whats_new_page(shared.env, kit, "", [], None, partner)
    assert '<a href="../index.html">Back to your kit</a>' in page
    where = posixpath.normpath(posixpath.join(kits.TEAM, "../index.html"))
    assert where == "index.html"  # the kit's own index, inside the kit
    pdf_page = kits.whats_new_page(shared.env, kit, "", [], None)
    assert "index.html" not in pdf_page and "Back to your kit" not in pdf_page


def test_a_decks_band_keeps_a_phone_number_on_one_line(shared: kits.KitShared) -> None:
    """PowerPoint wraps at any space: a German team deck's band read "+1" at one line's end
    and "555 0199" on the next. The deck's contact line holds no-break spaces in numbers."""
    marks = kits.brand_of(shared, "registered-partner")
    assert "+1\u00a0555\u00a00199" in marks.team_deck.contact
    assert "+1 555" not in marks.team_deck.contact
    assert kits._unbroken_numbers("Call +1 555 0199 or (030) 123 45 · 2 plays") == (
        "Call +1\u00a0555\u00a00199 or (030)\u00a0123\u00a045 · 2 plays"
    )
