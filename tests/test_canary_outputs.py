"""No canary reaches an output made for an audience that may not see it.

`tests/roots/canary`, with a de locale whose translations carry their own canaries and a
partner whose kit is in de (canary.localized_root), is built once; every file under build/,
of every locale, is read as its audience reads it (PDF text and raw bytes and decoded
streams, every XML part of a deck including notes, HTML, JS and JSON as they are, every
member of every kit) and checked against tests/canary.py, the audience of a de/ output being
its source path's. Each canary family, and each family of translated canaries, must also
appear in some output that may show it, so a renderer that silently dropped everything, or a
build that never used the translations, could not pass.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pypdf
import pytest

from canary import (
    ALLOWED,
    CANARY_RE,
    KIT_TIERS,
    LOCALE,
    LOCALE_PARTNER,
    TRANSLATED_MARK,
    family_of,
    leaks,
    localized_root,
    planted,
    planted_translations,
)
from salesplay import kits
from salesplay.families import KINDS, owner
from salesplay.locales import delocalized
from salesplay.models import AUDIENCES
from sessionbuild import salesplay, shared

AS_OF = "2026-11-23"
#: a text run of a slide's XML
CANARY_TEXT_RUN = re.compile(r"<a:t>([^<]*)</a:t>")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The localized canary catalog (canary.localized_root) as `canary/`, built to `build/`."""

    def extract(root: Path) -> None:
        done = salesplay("i18n", "extract", "--catalog", str(root), cwd=root.parent)
        assert done.returncode == 0, done.stderr

    def make(dest: Path) -> None:
        root = localized_root(dest / "canary", extract)
        done = salesplay(
            "build", "--catalog", str(root), "--as-of", AS_OF, "--out", str(dest / "build"),
            cwd=dest,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr

    return shared(tmp_path_factory, "canary-build", make)


@pytest.fixture(scope="module")
def build(built: Path) -> Path:
    return built / "build"


@pytest.fixture(scope="module")
def root(built: Path) -> Path:
    return built / "canary"


# --- reading a file the way its readers can -----------------------------------------------


def _pdf_strings(obj: object, seen: set[tuple[int, int]]) -> Iterator[str]:
    """Every string and decoded stream reachable from a pikepdf object."""
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        if obj.objgen in seen:
            return
        seen.add(obj.objgen)
    if isinstance(obj, pikepdf.String):
        yield str(obj)
    elif isinstance(obj, pikepdf.Stream):
        try:
            decoded = obj.read_bytes()
        except pikepdf.PdfError:  # an image filter pikepdf cannot decode: raw bytes are read
            decoded = b""
        yield decoded.decode("latin-1")
        yield from _pdf_strings(obj.stream_dict, seen)
    elif isinstance(obj, pikepdf.Dictionary):
        for key, value in obj.items():
            if key not in ("/Parent", "/P"):
                yield from _pdf_strings(value, seen)
    elif isinstance(obj, pikepdf.Array):
        for item in obj:
            yield from _pdf_strings(item, seen)


def texts(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    """(where, text) for everything a reader of `name` could get at."""
    yield name, data.decode("latin-1")
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf":
        reader = pypdf.PdfReader(io.BytesIO(data))
        for number, page in enumerate(reader.pages, start=1):
            yield f"{name} page {number} text", page.extract_text()
        with pikepdf.open(io.BytesIO(data)) as pdf:
            seen: set[tuple[int, int]] = set()
            for obj in pdf.objects:
                for text in _pdf_strings(obj, seen):
                    yield f"{name} objects", text
            yield f"{name} metadata", str(pdf.open_metadata())
    elif suffix in (".pptx", ".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for member in zf.namelist():
                yield from texts(f"{name}!{member}", zf.read(member))
    else:
        yield name, data.decode("utf-8", errors="replace")


def found_in(name: str, data: bytes) -> dict[str, set[str]]:
    """where → canaries found there."""
    found: dict[str, set[str]] = {}
    for where, text in texts(name, data):
        hits = {m.group(0) for m in CANARY_RE.finditer(text)}
        if hits:
            found.setdefault(where, set()).update(hits)
    return found


def audience_of(rel: str) -> str:
    """The audience an output is made for, as the family registry says.

    The marketers' own outputs (audience None in the registry) may show everything.
    """
    fam = owner(rel)
    assert fam is not None, f"output {rel} is owned by no family in the registry"
    return fam.audience_of(rel) or "internal"


def member_audience(where: str) -> str:
    """Inside a kit (`kits/<p>.zip!<p>/for-your-customers/…!…`): the audience of the kit's
    part when it is wider than the kit's (the customer part is public), else the kit's."""
    kit, _, member = where.partition("!")
    kit_audience = audience_of(kit)
    # without what texts() adds ("… page 2 text", "… objects")
    theirs = kits.member_audience(member.split("!")[0].split(" ")[0])
    if AUDIENCES.index(theirs) > AUDIENCES.index(kit_audience):
        return theirs
    return kit_audience


def is_kit(rel: str) -> bool:
    """Whether `rel` is a partner kit, in any locale (kits/p.zip, de/kits/p.zip)."""
    return delocalized(rel)[0].startswith("kits/")


def partner_tiers(root: Path) -> dict[str, str]:
    """Partner id → its tier, as the built canary catalog writes it."""
    tiers = {}
    for path in (root / "partners").glob("*.yaml"):
        line = next(x for x in path.read_text().splitlines() if x.startswith("tier:"))
        tiers[path.stem] = line.partition(":")[2].strip()
    return tiers


def catalog_tiers(root: Path) -> list[str]:
    """The partner tiers of the built canary catalog, lowest first."""
    line = next(
        x for x in (root / "catalog.yaml").read_text().splitlines() if x.startswith("tiers:")
    )
    return [t.strip() for t in line.partition("[")[2].partition("]")[0].split(",")]


def output_tiers(rel: str, partners: dict[str, str], tiers: list[str]) -> set[str]:
    """The partner tiers whose sellers read `rel`: a kit's partner's tier; for any other
    output made for partners, the tier a `partner-<tier>` part of its path names
    (feed/partner-gold.json, feed/partner-gold/x.md), else every tier: a partner output that
    names no tier is any partner's, and may hold only what every tier may see."""
    if is_kit(rel):
        return {partners[Path(rel).stem]}
    for part in delocalized(rel)[0].split("/"):
        found = re.fullmatch(r"partner-(.+?)(?:\.[^.]*)?", part)
        if found and found.group(1) in tiers:
            return {found.group(1)}
    return set(tiers)


def tier_leaks(
    scanned: dict[str, dict[str, set[str]]], partners: dict[str, str], tiers: list[str]
) -> dict[str, set[str]]:
    """where → canaries of a play above the tier (or whose partner block is hidden) in an
    output read by partners: every kit, and every other output the registry makes for
    partners (a family's per-tier files, or one file for every partner)."""
    found: dict[str, set[str]] = {}
    for rel, hits in scanned.items():
        if not is_kit(rel) and audience_of(rel) != "partner":
            continue
        readers = output_tiers(rel, partners, tiers)
        for where, canaries in hits.items():
            for canary in canaries:
                family = family_of(canary)
                if family in KIT_TIERS and not readers <= KIT_TIERS[family]:
                    found.setdefault(where, set()).add(canary)
    return found


#: the build's bookkeeping (records, the kit cache): no audience receives it.
BOOKKEEPING = ".salesplay/"


def outputs(build: Path) -> list[str]:
    """Every output file under build/, without the bookkeeping."""
    rels = (p.relative_to(build).as_posix() for p in sorted(build.rglob("*")) if p.is_file())
    return [rel for rel in rels if not rel.startswith(BOOKKEEPING)]


@pytest.fixture(scope="module")
def scanned(build: Path) -> dict[str, dict[str, set[str]]]:
    """Output path → {where → canaries}."""
    return {rel: found_in(rel, (build / rel).read_bytes()) for rel in outputs(build)}


def _leaks(scanned: dict[str, dict[str, set[str]]], kind: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    selected = [rel for rel in scanned if (fam := owner(rel)) is not None and fam.name == kind]
    assert selected, f"no output of {kind}"
    for rel in selected:
        audience = audience_of(rel)
        if audience == "internal":
            continue
        for where, canaries in scanned[rel].items():
            who = member_audience(where) if is_kit(rel) else audience
            bad = leaks(" ".join(canaries), who)
            if bad:
                found[where] = bad
    return found


# --- the tests -------------------------------------------------------------------------


def test_the_build_made_every_kind_of_output(build: Path) -> None:
    rels = set(outputs(build))
    for expected in (
        "battlecards/modernize.pdf",
        "battlecards/rep-play.pdf",
        "decks/resilience-pitch.pptx",
        "decks/modernize-enablement.pptx",
        "matrix.html",
        "matrix.pdf",
        "site/index.html",
        "site/search-index.js",
        "playbooks/resilience.pdf",
        "kits/gold-partner.zip",
        "kits/registered-partner.zip",
    ):
        assert expected in rels
    # every output has an owner and an audience in the registry
    for rel in rels:
        audience_of(rel)


@pytest.mark.parametrize("kind", KINDS)
def test_no_canary_leaks(scanned: dict[str, dict[str, set[str]]], kind: str) -> None:
    assert _leaks(scanned, kind) == {}


def test_kit_members_hold_what_the_partner_may_see(build: Path) -> None:
    with zipfile.ZipFile(build / "kits/gold-partner.zip") as zf:
        names = zf.namelist()
    # the partner play and its decks are there (the scan above is not of empty kits)
    team, customers = "gold-partner/for-your-team", "gold-partner/for-your-customers"
    assert f"{team}/battlecards/modernize.pdf" in names
    assert f"{team}/decks/modernize-enablement.pptx" in names
    assert f"{team}/battlecards/gold-play.pdf" in names
    assert f"{customers}/decks/resilience-pitch.pptx" in names
    # only a play the public edition holds has a customer brief
    assert f"{customers}/briefs/public-play.pdf" in names
    assert not [n for n in names if n.startswith(customers) and "modernize" in n]
    # rep-play is `audience: rep`: in no kit, although its min_tier is registered; vendor-play
    # is a partner play whose partner block is `audience: rep`
    assert not [n for n in names if "rep-play" in n or "vendor-play" in n]
    with zipfile.ZipFile(build / "kits/registered-partner.zip") as zf:
        held = sorted(n for n in zf.namelist() if n.endswith((".pdf", ".pptx")))
    assert held == [
        "registered-partner/for-your-customers/briefs/public-play.pdf",
        "registered-partner/for-your-customers/decks/resilience-pitch.pptx",
        "registered-partner/for-your-team/battlecards/public-play.pdf",
        "registered-partner/for-your-team/decks/public-play-enablement.pptx",
        "registered-partner/for-your-team/whats-new.pdf",
    ]


def test_no_kit_names_a_play_outside_its_tier(
    scanned: dict[str, dict[str, set[str]]], root: Path
) -> None:
    """A play above a partner's tier, or whose partner block is hidden, is named nowhere in
    its kit: battlecards, path slides, speaker notes, competitor cards, the index; nor in
    any other output made for partners of that tier (the feeds' partner-<tier> files)."""
    assert tier_leaks(scanned, partner_tiers(root), catalog_tiers(root)) == {}
    # the scan can fail: the gold kit holds the gold play, path slides and notes included
    gold = {c for where, hits in scanned["kits/gold-partner.zip"].items() for c in hits}
    assert {"kqzgold01", "kqzgold07"} <= gold
    assert not any(c.startswith("kqznokit") for c in gold)


def test_each_locale_has_its_outputs(build: Path) -> None:
    """The locale's outputs mirror the source's under LOCALE/; a partner gets kits in its
    locales only; the marketers' outputs stay in the source locale."""
    rels = set(outputs(build))
    for rel in (
        "battlecards/modernize.pdf",
        "battlecards/gold-play.pdf",
        "decks/modernize-enablement.pptx",
        "site/index.html",
        "site/search-index.js",
    ):
        assert f"{LOCALE}/{rel}" in rels, rel
    assert f"{LOCALE}/kits/{LOCALE_PARTNER}.zip" in rels
    assert f"kits/{LOCALE_PARTNER}.zip" not in rels
    assert f"{LOCALE}/kits/gold-partner.zip" not in rels
    assert not [rel for rel in rels if rel.startswith((f"{LOCALE}/reports", f"{LOCALE}/feed"))]


def test_translations_reach_their_locale_and_their_audience_only(
    scanned: dict[str, dict[str, set[str]]], root: Path
) -> None:
    """A translated canary is found only in its locale's outputs, and each family of them
    reaches some output allowed to show it (the leak scan above covers them: the
    translations were used, so that scan can fail on a translated leak)."""
    translated = planted_translations(root)
    families = {family_of(c) for c in translated}
    assert families >= {"int", "rep", "prt", "gold", "lr"}, families
    seen: dict[str, set[str]] = {}  # family → audiences of outputs showing a translation
    elsewhere: dict[str, set[str]] = {}
    for rel, found in scanned.items():
        in_locale = delocalized(rel)[1] == LOCALE
        for where, canaries in found.items():
            mine = {c for c in canaries if c.startswith(TRANSLATED_MARK)}
            if mine and not in_locale:
                elsewhere[where] = mine
            who = member_audience(where) if is_kit(rel) else audience_of(rel)
            for canary in mine:
                seen.setdefault(family_of(canary), set()).add(who)
    assert elsewhere == {}
    for family in families:
        assert seen.get(family, set()) & ALLOWED[family], family
    assert "partner" in seen["prt"] and "partner" in seen["gold"]
    # the locale partner's gold kit is made from the translations, gold play included
    kit = {c for hits in scanned[f"{LOCALE}/kits/{LOCALE_PARTNER}.zip"].values() for c in hits}
    assert {c for c in kit if family_of(c) == "gold" and c.startswith(TRANSLATED_MARK)}
    assert not any(family_of(c) == "nokit" for c in kit)


def _kit_texts(build: Path, partner: str) -> dict[str, str]:
    """Kit member → everything its reader can get at, joined (PDF text and objects, deck XML)."""
    data = (build / f"kits/{partner}.zip").read_bytes()
    joined: dict[str, list[str]] = {}
    for where, text in texts(f"kits/{partner}.zip", data):
        member = where.partition("!")[2].split("!")[0].split(" ")[0]
        if member:
            joined.setdefault(member, []).append(text)
    return {member: "\n".join(parts) for member, parts in joined.items()}


@pytest.mark.parametrize("partner", ["gold-partner", "registered-partner"])
def test_each_kit_part_carries_its_own_wording_and_contact(build: Path, partner: str) -> None:
    """Team part: the team marking and the vendor's channel contact, never the partner's own
    contact or customer wording; customer part: "Presented by" and the partner's contact,
    never the channel contact; the index: the channel contact, never the partner's own."""
    name = {"gold-partner": "Gold Partner", "registered-partner": "Registered Partner"}[partner]
    channel = {"gold-partner": "Gold Desk Gita", "registered-partner": "Channel Chris"}[partner]
    own = "Dana Ruiz"  # the gold partner's own contact (the registered partner has none)
    members = _kit_texts(build, partner)
    team = [m for m in members if m.startswith(f"{partner}/for-your-team/")]
    customer = [m for m in members if m.startswith(f"{partner}/for-your-customers/")]
    assert team and customer
    for member, text in members.items():
        assert "Your partner" not in text, member
        assert "Channel Chris" not in text or "Gold Desk Gita" not in text, member
        if member.endswith(".png"):
            continue
        if member in customer:
            flat = text + "".join(CANARY_TEXT_RUN.findall(text))  # a slide's runs, joined
            assert f"Presented by {name}" in flat, member
            assert channel not in text and "channel@canary.example" not in text, member
            assert "sellers" not in text, member
        else:
            assert own not in text and "dana@gold.example" not in text, member
            assert "Presented by" not in text, member
    assert channel in members[f"{partner}/index.html"]
    if partner == "gold-partner":
        assert any(own in members[m] for m in customer)
        assert "Channel Chris" not in "".join(members.values())  # the override wins
    for member in team:
        assert channel in members[member] or not member.endswith(".pdf"), member


def test_every_team_page_and_slide_is_marked(build: Path) -> None:
    with zipfile.ZipFile(build / "kits/gold-partner.zip") as zf:
        for member in zf.namelist():
            if not member.startswith("gold-partner/for-your-team/"):
                continue
            data = zf.read(member)
            if member.endswith(".pdf"):
                pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages]
            elif member.endswith(".html"):
                pages = [html.unescape(re.sub(r"<[^>]+>", " ", data.decode()))]
            else:
                with zipfile.ZipFile(io.BytesIO(data)) as deck:
                    slides = [n for n in deck.namelist() if n.startswith("ppt/slides/slide")]
                    pages = [deck.read(n).decode() for n in slides if n.endswith(".xml")]
                    pages = ["".join(CANARY_TEXT_RUN.findall(p)) for p in pages]
            assert pages, member
            for number, page in enumerate(pages, start=1):
                marking = "For the sellers of Gold Partner \u2014 not for customers"
                assert marking in " ".join(page.split()), (member, number)


def test_notes_and_search_index_are_scanned(scanned: dict[str, dict[str, set[str]]]) -> None:
    wheres = {w for found in scanned.values() for w in found}
    assert any("notesSlide" in w for w in wheres), "no canary seen in any speaker notes"
    assert scanned.get("site/search-index.js")
    assert any(w.startswith("kits/gold-partner.zip!") and "page" in w for w in wheres)


def test_every_canary_family_reaches_an_output_allowed_to_show_it(
    scanned: dict[str, dict[str, set[str]]],
) -> None:
    """Proves the scan can fail: each family shows up where its audience is allowed."""
    seen: dict[str, set[str]] = {}  # family → audiences of outputs showing it
    for rel, found in scanned.items():
        for where, canaries in found.items():
            who = member_audience(where) if is_kit(rel) else audience_of(rel)
            for canary in canaries:
                family = family_of(canary)
                seen.setdefault(family, set()).add(who)
    families = {family_of(c) for c in planted()}
    assert families == set(ALLOWED)
    for family in families:
        assert seen.get(family, set()) & ALLOWED[family], family
    assert "internal" in seen["int"]  # the playbook is the internal edition
    assert "partner" in seen["lr"]  # launch-ready reaches partner kits, labelled
    assert "partner" in seen["prt"]  # the partner program reaches the partner's team
    assert seen["rep"] >= {"rep"} and seen["dev"] >= {"rep"} and seen["stale"] >= {"rep"}


def test_playbooks_carry_internal_canaries(scanned: dict[str, dict[str, set[str]]]) -> None:
    for rel in ("playbooks/resilience.pdf", "playbooks/secret-destination.pdf"):
        found = set().union(*scanned[rel].values())
        assert {c for c in found if c.startswith("kqzint")}, rel


def test_a_partner_output_outside_the_kits_is_read_by_its_tier() -> None:
    """A registered partner's feed naming the gold-only play is a leak, as in its kit; the
    gold feed may name it; a partner output naming no tier is read by every tier."""
    tiers = ["registered", "silver", "gold"]
    scanned = {
        "feed/partner-registered.json": {"feed/partner-registered.json": {"kqzgold01"}},
        "feed/partner-gold.json": {"feed/partner-gold.json": {"kqzgold01"}},
        "feed/partner-gold/gold-play.md": {"feed/partner-gold/gold-play.md": {"kqznokit01"}},
        "feed/rep.json": {"feed/rep.json": {"kqzgold01", "kqznokit01"}},
    }
    assert tier_leaks(scanned, {}, tiers) == {
        "feed/partner-registered.json": {"kqzgold01"},
        "feed/partner-gold/gold-play.md": {"kqznokit01"},
    }
    assert output_tiers("feed/partner-silver.atom", {}, tiers) == {"silver"}
    assert output_tiers("partner-things/all.json", {}, tiers) == set(tiers)
