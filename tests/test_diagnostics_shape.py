"""One error shape: diagnostics carry their subject as data; render warnings are diagnostics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import AS_OF, base_text, make_catalog, replace_in, resolved, run_cli
from salesplay import findings
from salesplay.diagnostics import Diagnostic, Location, Severity
from salesplay.edition import make_edition
from salesplay.engine.records import Records

RD = "plays/recovery-drills.yaml"
CARD = "build/battlecards/recovery-drills.pdf"

# --- subjects of the marketers' report codes ------------------------------------------------

REPORTED = {
    **replace_in(
        "differentiators/anomaly-alerts.yaml", "reviewed: 2026-11-01", "reviewed: 2025-01-01"
    ),
    **replace_in(RD, "every quarter", "every quarter (ZQXV)"),
    "plays/lonely-play.yaml": base_text(RD),
    "differentiators/orphan-claim.yaml": base_text("differentiators/anomaly-alerts.yaml"),
    "destinations/nowhere.yaml": base_text("destinations/cyber-resilience.yaml"),
    "competitors/zeta-corp.yaml": base_text("competitors/acme.yaml"),
}
EXPECTED = {
    "stale": ("differentiator", "anomaly-alerts"),
    "jargon": ("term", "ZQXV"),
    "play-without-path": ("play", "lonely-play"),
    "unused-differentiator": ("differentiator", "orphan-claim"),
    "destination-without-path": ("destination", "nowhere"),
    "competitor-without-play": ("competitor", "zeta-corp"),
}


def test_every_report_code_names_its_subject_in_json(tmp_path: Path) -> None:
    assert set(EXPECTED) == set(findings.REPORT_CODES)
    make_catalog(tmp_path, REPORTED)
    result = run_cli(
        "check", "--catalog", "plays", "--as-of", AS_OF, "--format", "json", cwd=tmp_path
    )
    items = json.loads(result.stdout)
    found = {
        (d["code"], d["subject"]["kind"], d["subject"]["id"])
        for d in items
        if d["code"] in EXPECTED and d["subject"] is not None
    }
    assert found == {(code, *subject) for code, subject in EXPECTED.items()}
    # every report diagnostic has one; the field is always there, null when unknown
    assert all("subject" in d for d in items)
    assert all(d["subject"] is not None for d in items if d["code"] in EXPECTED)


def test_a_reference_error_names_the_document_it_is_in(tmp_path: Path) -> None:
    make_catalog(tmp_path, replace_in("partners/red-rock.yaml", "tier: silver", "tier: bronze"))
    result = run_cli(
        "check", "--catalog", "plays", "--as-of", AS_OF, "--format", "json", cwd=tmp_path
    )
    (item,) = [d for d in json.loads(result.stdout) if d["code"] == "reference"]
    assert item["subject"] == {"kind": "partner", "id": "red-rock"}


# --- the report groups by subject, never by the words of a message --------------------------


def _report(tmp_path: Path, diags: list[Diagnostic]) -> tuple[findings.Section, ...]:
    cat, _ = resolved(tmp_path, REPORTED)
    assert cat is not None
    return findings.report_sections(make_edition(cat, "rep"), diags, tmp_path, lambda p: p)


def _section(sections: tuple[findings.Section, ...], sid: str) -> findings.Section:
    return next(s for s in sections if s.id == sid)


def test_report_matches_findings_by_subject_not_by_quoted_words(tmp_path: Path) -> None:
    where = tmp_path / "plays/plays/lonely-play.yaml"
    # the old parser took the first quoted word ('recovery-drills') as the play it is about
    misleading = Diagnostic(
        Location(where, 3, 7),
        Severity.WARNING,
        "unlike 'recovery-drills', this play's path isn't set ('quoted' words galore)",
        "play-without-path",
        ("play", "lonely-play"),
    )
    sections = _report(tmp_path, [misleading])
    (finding,) = _section(sections, "pathless-plays").findings
    assert finding.links and finding.links[0][1] == "lonely-play"
    assert finding.where == ("plays/plays/lonely-play.yaml:3:7",)


def test_same_id_in_two_kinds_does_not_share_locations(tmp_path: Path) -> None:
    # a stale competitor whose id is also a differentiator's: each finding keeps its own place
    comp = Diagnostic(
        Location(tmp_path / "c.yaml", 9, 1),
        Severity.WARNING,
        "stale competitor intelligence 'anomaly-alerts'",
        "stale",
        ("competitor", "anomaly-alerts"),
    )
    diff = Diagnostic(
        Location(tmp_path / "d.yaml", 4, 11),
        Severity.WARNING,
        "stale claim 'anomaly-alerts'",
        "stale",
        ("differentiator", "anomaly-alerts"),
    )
    stale = _section(_report(tmp_path, [comp, diff]), "stale").findings
    shown = [f for f in stale if "d.yaml:4:11" in f.where]
    assert len(shown) == 1 and "c.yaml:9:1" not in shown[0].where
    # the competitor the edition does not have is still listed, under its id, at its place
    assert any(f.subject == "anomaly-alerts" and f.where == ("c.yaml:9:1",) for f in stale)


def test_jargon_groups_by_term_even_when_the_message_quotes_other_words(tmp_path: Path) -> None:
    diags = [
        Diagnostic(
            Location(tmp_path / f"{n}.yaml", n, 1),
            Severity.WARNING,
            f"'{n}' says: undefined jargon",
            "jargon",
            ("term", "ZQXV"),
        )
        for n in (1, 2)
    ]
    (finding,) = _section(_report(tmp_path, diags), "jargon").findings
    assert finding.subject == "ZQXV"
    assert finding.where == ("1.yaml:1:1", "2.yaml:2:1")


# --- a render warning is a located diagnostic --------------------------------------------------

# long enough for more than two A4 pages, each field under the 5,000-character warning
LONG_CARD = {
    RD: base_text(RD)
    .replace(
        "why_now: Auditors now ask for recovery evidence.",
        "why_now: " + "Auditors ask for evidence of recovery. " * 120,
    )
    .replace(
        "why_do_anything: An untested backup is a hope, not a plan.",
        "why_do_anything: " + "An untested backup is a hope, not a plan. " * 110,
    )
}
BUILD = (
    "build",
    "--catalog",
    "plays",
    "--as-of",
    AS_OF,
    "--only",
    "battlecards",
    "--only",
    "reports",
)


def _tree(out: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(p.relative_to(out)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def _card_warnings(tmp_path: Path) -> list[dict[str, object]]:
    items = json.loads((tmp_path / "build/reports/check.json").read_text("utf-8"))
    return [d for d in items if d["code"] == "card-length"]


@pytest.fixture(scope="module")
def long_card(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("long")
    make_catalog(tmp_path, LONG_CARD)
    return tmp_path


def test_card_past_its_budget_is_counted_recorded_and_said_again(long_card: Path) -> None:
    tmp_path = long_card
    first = run_cli(*BUILD, cwd=tmp_path)
    assert first.code == 0, first.stderr
    assert first.lines[-1].endswith("; 0 errors, 1 warning"), first.stderr
    line = f"plays/{RD}:1:1: warning: battlecard 'recovery-drills' runs to"
    assert sum(x.startswith(line) for x in first.lines) == 1, first.stderr
    (item,) = _card_warnings(tmp_path)
    assert item["file"] == f"plays/{RD}" and item["severity"] == "warning"
    assert item["subject"] == {"kind": "play", "id": "recovery-drills"}
    # stored as data with the card's record, not as a printed line
    (kept,) = Records.load(tmp_path / "build").warnings("battlecards/recovery-drills.pdf")
    assert kept.subject == ("play", "recovery-drills") and kept.code == "card-length"

    # no change at all: the fast path says it again
    again = run_cli(*BUILD, cwd=tmp_path)
    assert again.code == 0 and sum(x.startswith(line) for x in again.lines) == 1, again.stderr
    assert again.lines[-1].endswith("0 changed, 0 removed; 0 errors, 1 warning")

    # another play changes: the card is fresh (not remade) and its warning is still reported
    card = (tmp_path / CARD).stat().st_mtime_ns
    other = "plays/plays/backup-modernization.yaml"
    text = (tmp_path / other).read_text("utf-8")
    (tmp_path / other).write_text(text.replace("name: ", "name: Fresh ", 1), "utf-8")
    fresh = run_cli(*BUILD, cwd=tmp_path)
    assert fresh.code == 0, fresh.stderr
    assert (tmp_path / CARD).stat().st_mtime_ns == card
    assert "0 changed" not in fresh.lines[-1]
    assert sum(x.startswith(line) for x in fresh.lines) == 1, fresh.stderr
    assert fresh.lines[-1].endswith("; 0 errors, 1 warning")
    assert len(_card_warnings(tmp_path)) == 1


def test_strict_makes_a_fresh_cards_warning_fatal_before_writing(long_card: Path) -> None:
    tmp_path = long_card
    assert run_cli(*BUILD, cwd=tmp_path).code == 0
    before = _tree(tmp_path / "build")
    result = run_cli(*BUILD, "--strict", cwd=tmp_path)
    assert result.code == 1
    assert any(
        x.startswith(f"plays/{RD}:1:1: error: battlecard 'recovery-drills' runs to")
        for x in result.lines
    ), result.stderr
    assert result.lines[-1] == "build stopped: nothing was written; 1 error, 0 warnings"
    assert _tree(tmp_path / "build") == before


def test_strict_cold_build_with_a_long_card_writes_nothing(tmp_path: Path) -> None:
    make_catalog(tmp_path, LONG_CARD)
    result = run_cli(*BUILD, "--strict", cwd=tmp_path)
    assert result.code == 1, result.stderr
    assert "build stopped: nothing was written" in result.lines[-1]
    assert not (tmp_path / "build").exists()


KITS = ("build", "--catalog", "plays", "--as-of", AS_OF, "--only", "kits", "--only", "reports")
BRIEF = f"plays/{RD}:1:1: warning: customer brief 'recovery-drills' runs to"


def _kit_warnings(tmp_path: Path) -> dict[str, list[str]]:
    items = json.loads((tmp_path / "build/reports/check.json").read_text("utf-8"))
    found: dict[str, list[str]] = {}
    for d in items:
        if d["code"] == "card-length":
            assert d["subject"] == {"kind": "play", "id": "recovery-drills"}, d
            found.setdefault(d["message"].split(" 'recovery-drills'")[0], []).append(d["file"])
    return found


def test_a_customer_brief_past_its_page_is_warned_by_every_build_that_keeps_its_kit(
    tmp_path: Path,
) -> None:
    # a public play: in both kits, as a partner card and as a customer brief (with no claim
    # or competitor the partner and public editions leave out: check would warn, and
    # --strict stop there)
    text = LONG_CARD[RD].replace("[anomaly-alerts]", "[immutable-by-default]")
    talk = 'status-quo, talk_track: "Price one day of downtime against the project."}'
    text = text.replace(f"competitors:\n  - {{competitor: {talk}\n", "") + "audience: public\n"
    vault = "products/vault.yaml"
    make_catalog(
        tmp_path,
        {
            RD: text,
            **replace_in(vault, "audience: partner", "audience: public"),
            **replace_in(
                "differentiators/immutable-by-default.yaml", "audience: partner", "audience: public"
            ),
            "competitors/status-quo.yaml": None,
            "differentiators/anomaly-alerts.yaml": None,
        },
    )
    first = run_cli(*KITS, cwd=tmp_path)
    assert first.code == 0, first.stderr
    # one line each, though both kits hold the brief and the card
    assert sum(x.startswith(BRIEF) for x in first.lines) == 1, first.stderr
    assert "(budget 1): shorten its summary, why_do_anything, why_now or proof" in first.stderr
    expected = {"customer brief": [f"plays/{RD}"], "partner battlecard": [f"plays/{RD}"]}
    assert _kit_warnings(tmp_path) == expected
    records = Records.load(tmp_path / "build")
    assert {w.message.split(" '")[0] for w in records.warnings("kits/red-rock.zip")} == {
        "customer brief",
        "partner battlecard",
    }

    # one partner edited: its kit is made from the cached brief, the other kit is fresh;
    # the warnings are those of a clean build
    partner = tmp_path / "plays/partners/red-rock.yaml"
    partner.write_text(partner.read_text("utf-8").replace("Red Rock", "Red Rock Two"), "utf-8")
    kept = (tmp_path / "build/kits/blue-river.zip").stat().st_mtime_ns
    again = run_cli(*KITS, cwd=tmp_path)
    assert again.code == 0, again.stderr
    assert (tmp_path / "build/kits/blue-river.zip").stat().st_mtime_ns == kept
    assert sum(x.startswith(BRIEF) for x in again.lines) == 1, again.stderr
    assert _kit_warnings(tmp_path) == expected
    clean = run_cli(*KITS, "--clean", cwd=tmp_path)
    assert clean.code == 0 and _kit_warnings(tmp_path) == expected, clean.stderr

    # --strict: the warnings known before writing stop the build, kits and all
    partner.write_text(partner.read_text("utf-8").replace("Two", "Three"), "utf-8")
    before = _tree(tmp_path / "build")
    strict = run_cli(*KITS, "--strict", cwd=tmp_path)
    assert strict.code == 1, strict.stderr
    assert any(x.startswith(BRIEF.replace("warning", "error")) for x in strict.lines)
    assert strict.lines[-1] == "build stopped: nothing was written; 2 errors, 0 warnings"
    assert _tree(tmp_path / "build") == before


def test_a_brief_of_ordinary_length_is_not_warned(tmp_path: Path) -> None:
    make_catalog(tmp_path)
    done = run_cli(*KITS, cwd=tmp_path)
    assert done.code == 0, done.stderr
    assert "customer brief" not in done.stderr and _kit_warnings(tmp_path) == {}


def test_a_refused_resource_is_a_warning_at_the_output_with_its_subject(tmp_path: Path) -> None:
    make_catalog(tmp_path)
    override = tmp_path / "templates/battlecard.html"
    override.parent.mkdir()
    override.write_text(
        '{% extends "default/battlecard.html" %}{% block card %}'
        '<img src="https://tracker.example/pixel.png">{{ super() }}{% endblock %}',
        "utf-8",
    )
    args = ("build", "--catalog", "plays", "--as-of", AS_OF, "--only", "battlecards")
    result = run_cli(*args, "--only", "reports", cwd=tmp_path)
    assert result.code == 0, result.stderr
    refused = [x for x in result.lines if "refused to load https://tracker.example" in x]
    assert len(refused) == 2, result.stderr  # one per card
    assert refused[0].startswith("build/battlecards/backup-modernization.pdf: warning:")
    assert result.lines[-1].endswith("; 0 errors, 2 warnings")
    items = json.loads((tmp_path / "build/reports/check.json").read_text("utf-8"))
    fetch = sorted((d["file"], d["subject"]["id"]) for d in items if d["code"] == "fetch")
    assert fetch == [
        ("build/battlecards/backup-modernization.pdf", "backup-modernization"),
        ("build/battlecards/recovery-drills.pdf", "recovery-drills"),
    ]
    # --only reports keeps the cards as they are, and check.json still speaks of them
    only = run_cli(*args[:-2], "--only", "reports", cwd=tmp_path)
    assert only.code == 0, only.stderr
    items = json.loads((tmp_path / "build/reports/check.json").read_text("utf-8"))
    assert sum(d["code"] == "fetch" for d in items) == 2


def test_unknown_id_suggests_the_close_one_else_says_where_ids_come_from() -> None:
    from salesplay.diagnostics import LISTED_IDS, unknown_id

    assert unknown_id("partner", "blue-rivr", ["blue-river", "gulf"], "plays/partners") == (
        "unknown partner 'blue-rivr' (did you mean 'blue-river'?)"
    )
    assert unknown_id("partner", "zzz", ["gulf", "blue-river"], "plays/partners") == (
        "unknown partner 'zzz': a partner is named by its file under plays/partners/"
        " (blue-river, gulf)"
    )
    many = [f"partner-{n:04d}" for n in range(LISTED_IDS + 1)]
    assert unknown_id("partner", "zzz", many, "p/partners").endswith(
        f"under p/partners/ ({LISTED_IDS + 1} of them)"
    )
    assert unknown_id("play", "x", [], "plays/plays") == (
        "unknown play 'x': the catalog has none (files under plays/plays/)"
    )


def test_a_value_holding_a_line_break_is_quoted_on_one_line(tmp_path: Path) -> None:
    """`has: [v\\r\\rault/…]` is read as an id with two line breaks in it: its "unknown
    product" message was three lines (found by the fuzz test)."""
    acme = "competitors/acme.yaml"
    edits = replace_in(
        acme, "has: [vault/immutable-snapshots]", "has: [v\r\rault/immutable-snapshots]"
    )
    make_catalog(tmp_path, edits)
    result = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("1 error")
    assert len(lines) == 2 and "unknown product 'v\\nault'" in lines[0], lines
    said = Diagnostic(Location(Path("x.yaml")), Severity.ERROR, "a\r\nb", "c")
    assert said.message == "a\\r\\nb"


def test_the_reports_name_files_from_the_project_whatever_folder_the_build_runs_in(
    tmp_path: Path,
) -> None:
    """check.json and the coverage page named a catalog file from the working folder:
    absolute from another folder, so a clean build there wrote other bytes than the build
    in the project, and an incremental one from there said "0 changed". They name it from
    the project's folder (the catalog's parent), as the build's output lines do not need to."""
    edit = replace_in(
        "plays/recovery-drills.yaml",
        "summary: Prove recovery every quarter with evidence the auditors accept.",
        "summary: Prove recovery every quarter with XYZQ evidence.",
    )
    root = make_catalog(tmp_path, edit)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    build = ["build", "--as-of", AS_OF, "--only", "reports", "--jobs", "1"]
    assert run_cli(*build, cwd=tmp_path).code == 0
    there = ["--catalog", str(root), "--out", str(tmp_path / "other")]
    assert run_cli(*build, *there, cwd=elsewhere).code == 0
    # the catalog spelt `.` from inside it: "audience … set at" named it from the spelling
    inside = ["--catalog", ".", "--out", str(tmp_path / "inside")]
    assert run_cli(*build, *inside, cwd=root).code == 0
    for rel in ("reports/check.json", "reports/coverage.html"):
        made = (tmp_path / "build" / rel).read_bytes()
        assert made == (tmp_path / "other" / rel).read_bytes()
        assert made == (tmp_path / "inside" / rel).read_bytes()
    said_inside = (tmp_path / "inside/reports/coverage.html").read_bytes()
    assert b"set at <code>plays/plays/" in said_inside or b"set at plays/plays/" in said_inside
    said = json.loads((tmp_path / "other/reports/check.json").read_text("utf-8"))
    assert "plays/plays/recovery-drills.yaml" in {d["file"] for d in said}
    page = (tmp_path / "other/reports/coverage.html").read_text("utf-8")
    assert "<code>plays/plays/" in page and str(tmp_path) not in page


DECKS = ("build", "--catalog", "plays", "--as-of", AS_OF, "--only", "decks", "--only", "reports")
LONG_SUMMARY = "Prove recovery every quarter with evidence the auditors accept. " * 30


def test_a_subtitle_too_long_for_its_slide_is_a_located_warning_kept_with_its_deck(
    tmp_path: Path,
) -> None:
    """A 1,900-character summary ran out of the enablement deck's title slide even at the
    least size it is shrunk to, and nothing said so: the deck is made, and a warning at the
    play's file names the slide, the part and the text, counted and kept as a card's are."""
    summary = "summary: Prove recovery every quarter with evidence the auditors accept."
    make_catalog(tmp_path, replace_in(RD, summary, f"summary: {LONG_SUMMARY.strip()}"))
    first = run_cli(*DECKS, cwd=tmp_path)
    assert first.code == 0, first.stderr
    line = (
        f"plays/{RD}:1:1: warning: enablement deck 'recovery-drills': the subtitle of slide 1"
        ' (1,919 characters: "Prove recovery every quarter with evidence the auditors\u2026")'
        " runs out of its box even at the least size it is shrunk to: shorten it"
    )
    assert first.lines.count(line) == 1, first.stderr
    assert first.lines[-1].endswith("; 0 errors, 1 warning"), first.stderr
    assert (tmp_path / "build/decks/recovery-drills-enablement.pptx").is_file()
    items = json.loads((tmp_path / "build/reports/check.json").read_text("utf-8"))
    (item,) = [d for d in items if d["code"] == "deck-fit"]
    assert item["subject"] == {"kind": "play", "id": "recovery-drills"}
    # nothing changed: said again from the deck's record
    again = run_cli(*DECKS, cwd=tmp_path)
    assert again.lines.count(line) == 1 and "0 changed" in again.lines[-1], again.stderr
    # --strict stops before writing; a summary that fits says nothing
    assert run_cli(*DECKS, "--strict", "--clean", cwd=tmp_path).code == 1
    (tmp_path / "plays" / RD).write_text(base_text(RD), "utf-8")
    short = run_cli(*DECKS, cwd=tmp_path)
    assert short.code == 0 and "deck-fit" not in short.stderr, short.stderr
    assert short.lines[-1].endswith("; 0 errors, 0 warnings"), short.stderr


def test_a_pitch_decks_proof_too_long_is_warned_of_at_the_play_that_holds_it(
    tmp_path: Path,
) -> None:
    """A destination's pitch deck quotes its plays' public proofs: a quote too long for its
    slide was warned of at the destination's file, where it is not written. It is said at
    the play's file, naming it; renamed, the play's new file is named, the deck unchanged."""
    result = "Restore time from 3 days to 40 minutes. " + "Audited and signed off. " * 40
    bm = "plays/backup-modernization.yaml"
    text = base_text(bm).replace("Restore time from 3 days to 40 minutes.", result)
    public = {
        bm: text.replace("audience: partner", "audience: public"),
        **{
            rel: base_text(rel) + "audience: public\n"
            for rel in ("destinations/cyber-resilience.yaml", "paths/resilience-journey.yaml")
        },
    }
    make_catalog(tmp_path, public)
    first = run_cli(*DECKS, cwd=tmp_path)
    assert first.code == 0, first.stderr
    pitch = [line for line in first.lines if ": warning: pitch deck" in line]
    assert len(pitch) == 1, first.stderr
    assert pitch[0].startswith(
        "plays/plays/backup-modernization.yaml:1:1: warning: pitch deck 'cyber-resilience':"
        " the quote of slide "
    ), pitch[0]
    assert " characters, a proof of play 'backup-modernization': \"“Restore time" in pitch[0]
    # the play renamed: its deck is the same, and the warning names the new file
    (tmp_path / "plays" / bm).rename(tmp_path / "plays/plays/modernize.yaml")
    journey = tmp_path / "plays/paths/resilience-journey.yaml"
    journey.write_text(journey.read_text("utf-8").replace("backup-modernization", "modernize"))
    again = run_cli(*DECKS, cwd=tmp_path)
    pitch = [line for line in again.lines if ": warning: pitch deck" in line]
    assert len(pitch) == 1 and pitch[0].startswith("plays/plays/modernize.yaml:1:1:"), pitch
    assert "a proof of play 'modernize'" in pitch[0]
