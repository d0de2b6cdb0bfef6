"""Catalog rules: claims, path steps, staleness, jargon and coverage — exact lines."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest

from conftest import base_text, check, replace_in

BM = "plays/backup-modernization.yaml"
RD = "plays/recovery-drills.yaml"
PATH = "paths/resilience-journey.yaml"
IBD = "differentiators/immutable-by-default.yaml"
AA = "differentiators/anomaly-alerts.yaml"
VERSUS = (
    "versus:\n  - {competitor: acme, detail: Acme charges for immutability as an add-on tier.}\n"
)
JARGON = "explain it in glossary.yaml or list it in catalog.yaml jargon.allow"


def test_minimal_is_clean(tmp_path: Path) -> None:
    result = check(tmp_path)
    assert (result.code, result.stdout, result.stderr) == (0, "", "")
    strict = check(tmp_path / "strict", None, "--strict")
    assert (strict.code, strict.stderr) == (0, "")


# --- claims -------------------------------------------------------------------------------------


def test_unique_claim_contradicted_by_a_competitor(tmp_path: Path) -> None:
    edits = replace_in(
        "competitors/status-quo.yaml", "reviewed:", "has: [vault/anomaly-detection]\nreviewed:"
    )
    result = check(tmp_path, edits)
    assert result.code == 1
    assert result.diagnostics == [
        f"plays/{AA}:2:7: error: unique claim 'anomaly-alerts' is contradicted by competitor"
        " 'status-quo', which also has 'vault/anomaly-detection' (make it comparative)"
    ]


def test_unique_claim_contradicted_by_two_competitors(tmp_path: Path) -> None:
    edits = {
        **replace_in(
            "competitors/status-quo.yaml", "reviewed:", "has: [vault/anomaly-detection]\nreviewed:"
        ),
        **replace_in(
            "competitors/acme.yaml",
            "has: [vault/immutable-snapshots]",
            "has: [vault/immutable-snapshots, vault/anomaly-detection]",
        ),
    }
    result = check(tmp_path, edits)
    assert [line.split(" is contradicted by ")[1][:22] for line in result.diagnostics] == [
        "competitor 'acme', whi",
        "competitor 'status-quo",
    ]


def test_comparative_claim_without_versus(tmp_path: Path) -> None:
    versus = VERSUS
    result = check(tmp_path, replace_in(IBD, versus, ""))
    assert result.code == 1
    assert result.diagnostics == [
        f"plays/{IBD}:2:7: error: comparative claim 'immutable-by-default' needs 'versus' naming"
        " at least one competitor (or make it unique)"
    ]


def test_comparative_claim_with_empty_versus(tmp_path: Path) -> None:
    versus = VERSUS
    result = check(tmp_path, replace_in(IBD, versus, "versus: []\n"))
    assert result.code == 1
    assert (
        f"plays/{IBD}:2:7: error: comparative claim 'immutable-by-default' needs" in result.stderr
    )


# --- paths --------------------------------------------------------------------------------------


def test_path_step_naming_a_play_twice(tmp_path: Path) -> None:
    result = check(
        tmp_path, replace_in(PATH, "  - play: recovery-drills", "  - play: backup-modernization")
    )
    assert result.code == 1
    assert result.diagnostics == [
        f"plays/{PATH}:8:11: error: play 'backup-modernization' appears twice in path"
        " 'resilience-journey' (first at step 1)",
        f"plays/{RD}:1:1: warning: play 'recovery-drills' is on no path",
    ]


def test_third_repeat_names_the_first_step(tmp_path: Path) -> None:
    text = base_text(PATH) + "  - play: recovery-drills\n  - play: recovery-drills\n"
    result = check(tmp_path, {PATH: text})
    assert result.diagnostics == [
        f"plays/{PATH}:11:11: error: play 'recovery-drills' appears twice in path"
        " 'resilience-journey' (first at step 2)",
        f"plays/{PATH}:12:11: error: play 'recovery-drills' appears twice in path"
        " 'resilience-journey' (first at step 2)",
    ]


def test_a_reference_listed_twice_in_a_play_or_a_claim_is_an_error(tmp_path: Path) -> None:
    """A play naming one competitor twice was accepted: its cards showed two sections, and
    every kit's news told a talk track reworded, with nothing changed."""
    talk = '  - {competitor: status-quo, talk_track: "Price one day of downtime against the'
    talk += ' project."}'
    text = (
        base_text(RD)
        .replace(talk, f"{talk}\n  - {{competitor: status-quo, talk_track: Again.}}")
        .replace("products: [vault]", "products: [vault, vault]")
    )
    imm = "differentiators/immutable-by-default.yaml"
    versus = "  - {competitor: acme, detail: Acme charges for immutability as an add-on tier.}"
    claim = base_text(imm).replace(versus, f"{versus}\n  - {{competitor: acme, detail: Twice.}}")
    result = check(tmp_path, {RD: text, imm: claim})
    assert result.code == 1
    assert result.diagnostics == [
        f"plays/{imm}:6:18: error: 'acme' is listed twice in versus of differentiator"
        " 'immutable-by-default' (first at item 1): merge the two",
        f"plays/{RD}:3:19: error: 'vault' is listed twice in products of play 'recovery-drills'"
        " (first at item 1): merge the two",
        f"plays/{RD}:11:18: error: 'status-quo' is listed twice in competitors of play"
        " 'recovery-drills' (first at item 1): merge the two",
    ]


# --- staleness ----------------------------------------------------------------------------------


def test_stale_claim(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(AA, "reviewed: 2026-11-01", "reviewed: 2025-01-01"))
    assert result.code == 0
    assert result.lines == [
        f"plays/{AA}:4:11: warning: stale claim 'anomaly-alerts': last verified 691 days ago"
        " (limit 90); left out of partner and public editions",
        "0 errors, 1 warning",
    ]


def test_stale_competitor(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        replace_in("competitors/acme.yaml", "reviewed: 2026-10-01", "reviewed: 2026-08-24"),
    )
    assert result.code == 0
    assert result.diagnostics == [
        "plays/competitors/acme.yaml:8:11: warning: stale competitor intelligence 'acme': last"
        " verified 91 days ago (limit 90); left out of partner and public editions"
    ]


def test_exactly_max_age_is_not_stale(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        replace_in("competitors/acme.yaml", "reviewed: 2026-10-01", "reviewed: 2026-08-25"),
    )
    assert (result.code, result.stderr) == (0, "")


def test_review_limit_comes_from_catalog(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in("catalog.yaml", "max_age_days: 90", "max_age_days: 60"))
    assert result.diagnostics == [
        f"plays/{IBD}:8:11: warning: stale claim 'immutable-by-default': last verified 69 days"
        " ago (limit 60); left out of partner and public editions"
    ]


def test_future_review_date_is_not_stale(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(AA, "reviewed: 2026-11-01", "reviewed: 2027-01-01"))
    assert result.code == 0 and "stale claim" not in result.stderr
    # said as a date after the as-of date (test_a_review_date_after_the_as_of_date…)
    assert [d.split(" was reviewed ")[0] for d in result.diagnostics] == [
        f"plays/{AA}:4:11: warning: claim 'anomaly-alerts'"
    ]


# --- jargon ---------------------------------------------------------------------------------------


def test_undefined_jargon_in_a_double_quoted_scalar_exact_column(tmp_path: Path) -> None:
    old = "why_now: Auditors now ask for recovery evidence."
    result = check(tmp_path, replace_in(RD, old, 'why_now: "Auditors now ask for SLA evidence."'))
    assert result.code == 0
    assert result.diagnostics == [f"plays/{RD}:5:32: warning: undefined jargon 'SLA': {JARGON}"]


def test_undefined_jargon_at_the_start_of_a_flow_value(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in("catalog.yaml", "allow: [IT, CIO]", "allow: [IT]"))
    assert result.diagnostics == [f"plays/{BM}:5:86: warning: undefined jargon 'CIO': {JARGON}"]


@pytest.mark.parametrize(
    ("new", "column"),
    [
        pytest.param(
            "why_do_anything: An untested SLA backup is a hope, not a plan.",
            30,
            id="plain",
        ),
        pytest.param(
            "why_do_anything: 'It''s an SLA thing.'",
            28,
            id="single-quoted-with-escape",
        ),
        pytest.param("why_do_anything: 'An untested SLA backup.'", 31, id="single-quoted"),
    ],
)
def test_undefined_jargon_exact_column(tmp_path: Path, new: str, column: int) -> None:
    result = check(
        tmp_path, replace_in(RD, "why_do_anything: An untested backup is a hope, not a plan.", new)
    )
    assert result.code == 0
    assert result.diagnostics == [
        f"plays/{RD}:4:{column}: warning: undefined jargon 'SLA': {JARGON}"
    ]


@pytest.mark.parametrize("style", ["|", ">"])
def test_undefined_jargon_in_a_block_scalar_is_at_its_word(tmp_path: Path, style: str) -> None:
    """It was put at the block's `|` or `>` on the key's line (the sample writes why_now so)."""
    old = "why_now: Auditors now ask for recovery evidence."
    new = f"why_now: {style}\n  Auditors now ask for\n  SLA evidence.\n"
    result = check(tmp_path, replace_in(RD, old + "\n", new))
    assert result.diagnostics == [f"plays/{RD}:7:3: warning: undefined jargon 'SLA': {JARGON}"]


def test_jargon_in_catalog_yaml(tmp_path: Path) -> None:
    old = "tagline: Recover anything, anywhere."
    result = check(
        tmp_path, replace_in("catalog.yaml", old, 'tagline: "Recover any VM, anywhere."')
    )
    assert result.diagnostics == [
        f"plays/catalog.yaml:3:25: warning: undefined jargon 'VM': {JARGON}"
    ]


def test_proper_names_are_no_jargon_but_the_text_beside_them_is(tmp_path: Path) -> None:
    """Names of partners, their contact people, products, competitors, customers and the
    company stay as written: "SAP Partner Co" asked to be explained in the glossary, and
    under --strict it was an error. A capitalised word in the text beside them still is."""
    edits = {
        **replace_in("partners/red-rock.yaml", "name: Red Rock Solutions", "name: RRS SAP Co"),
        **replace_in(
            "partners/red-rock.yaml",
            "tier: silver",
            "tier: silver\ncontact: {name: JD Smith}\nchannel_contact: {name: EMEA Desk}",
        ),
        **replace_in("competitors/acme.yaml", "name: Acme Backup", "name: ACME Backup"),
        **replace_in("products/vault.yaml", "name: Vault Backup", "name: VLT Backup"),
        **replace_in(BM, "customer: Contoso Health", "customer: CNT Health"),
        **replace_in("catalog.yaml", "name: Northwind Systems", "name: NWS Systems"),
    }
    assert check(tmp_path, edits, "--strict").diagnostics == []
    # the same words in prose are jargon
    summary = replace_in("competitors/acme.yaml", "Incumbent on-prem", "ACME's incumbent on-prem")
    found = check(tmp_path / "prose", {**edits, **summary}).diagnostics
    assert found == [
        f"plays/competitors/acme.yaml:3:10: warning: undefined jargon 'ACME': {JARGON}"
    ]


def test_jargon_defined_allowed_plural_or_internal_is_fine(tmp_path: Path) -> None:
    edits = {
        # glossary term, its plural and an allowed acronym
        **replace_in(
            RD, "An untested backup is a hope", "An untested RPO (or two RPOs) for IT is a hope"
        ),
        # an internal item is never in a rep, partner or public edition
        **replace_in("competitors/acme.yaml", 'text: "List', 'text: "SLA list'),
        # glossary definitions, ids, regions and URLs are not prose
        "glossary.yaml": base_text("glossary.yaml") + "SLA: Service level agreement (see ABC).\n",
        **replace_in("partners/blue-river.yaml", "regions: [EMEA]", "regions: [EMEA, APAC]"),
        **replace_in(IBD, "https://lab.example/report", "https://lab.example/XYZ-report"),
    }
    result = check(tmp_path, edits)
    assert (result.code, result.stderr) == (0, "")


GLOSSARY = base_text("glossary.yaml")


@pytest.mark.parametrize(
    ("glossary", "error"),
    [
        pytest.param(
            GLOSSARY + "RPO: again.\n",
            "3:1: error: duplicate key 'RPO' (first defined at line 1)",
            id="duplicate-key",
        ),
        pytest.param(
            GLOSSARY + "\tSLA: Service level agreement.\n",
            "3:1: error: could not be read: a tab character: indent with spaces",
            id="tab",
        ),
        pytest.param(
            "",
            "1:1: error: empty file: expected terms and their meanings (TERM: meaning), or"
            " delete the file",
            id="empty",
        ),
        pytest.param(
            GLOSSARY + "SLA: [Service level agreement]\n",
            "3:6: error: 'SLA' should be a string, found a list (it takes one value: write"
            " SLA: Service level agreement, without brackets; quote it if the brackets are text)",
            id="schema",
        ),
    ],
)
def test_a_broken_glossary_is_its_one_error_and_no_jargon_warning(
    tmp_path: Path, glossary: str, error: str
) -> None:
    """Read as empty, a broken glossary made every term it defines (RPO here) undefined
    jargon wherever the text uses it: warnings that vanished with the glossary's fix."""
    edits = {
        **replace_in(RD, "An untested backup is a hope", "An untested RPO is a hope"),
        "glossary.yaml": glossary,
    }
    result = check(tmp_path, edits)
    assert result.diagnostics == [f"plays/glossary.yaml:{error}"]


def test_jargon_in_an_item_opened_to_reps_is_reported(tmp_path: Path) -> None:
    edits = replace_in("competitors/acme.yaml", 'text: "List', 'text: "SLA list')
    edits = {k: v.replace("audience: internal", "audience: rep") for k, v in edits.items()}
    result = check(tmp_path, edits)
    assert result.diagnostics == [
        f"plays/competitors/acme.yaml:7:18: warning: undefined jargon 'SLA': {JARGON}"
    ]


# --- coverage -----------------------------------------------------------------------------------


def test_play_on_no_path(tmp_path: Path) -> None:
    step = (
        "  - play: recovery-drills\n    stage: Immutable backups, no drills\n"
        "    milestone: Quarterly recovery drill with evidence\n"
    )
    result = check(tmp_path, replace_in(PATH, step, ""))
    assert result.code == 0
    assert result.lines == [
        f"plays/{RD}:1:1: warning: play 'recovery-drills' is on no path",
        "0 errors, 1 warning",
    ]


def test_differentiator_used_by_no_play(tmp_path: Path) -> None:
    spare = (
        "claim: Spare claim.\ntype: unique\nbacked_by: [vault/anomaly-detection]\n"
        "reviewed: 2026-11-01\n"
    )
    result = check(tmp_path, {"differentiators/spare.yaml": spare})
    assert result.code == 0
    assert result.diagnostics == [
        "plays/differentiators/spare.yaml:1:1: warning: differentiator 'spare' is used by no play"
        " (add it to a play's why_us)"
    ]


def test_destination_without_path(tmp_path: Path) -> None:
    result = check(tmp_path, {"destinations/other.yaml": "name: Other\npromise: Something.\n"})
    assert result.code == 0
    assert result.diagnostics == [
        "plays/destinations/other.yaml:1:1: warning: destination 'other' has no path leading to it"
    ]


def test_competitor_with_no_play(tmp_path: Path) -> None:
    diy = "name: Scripts\ntype: diy\nsummary: Home-grown scripts.\nreviewed: 2026-11-01\n"
    result = check(tmp_path, {"competitors/diy.yaml": diy})
    assert result.code == 0
    assert result.diagnostics == [
        "plays/competitors/diy.yaml:1:1: warning: competitor 'diy' is in no play (add a talk track"
        " to a play's competitors)"
    ]


@pytest.mark.parametrize(
    ("rel", "old", "new", "error"),
    [
        pytest.param(
            PATH,
            "  - play: recovery-drills",
            "  - play: recovery-drill",
            f"plays/{PATH}:8:11: error: unknown play 'recovery-drill'"
            " (did you mean 'recovery-drills'?)",
            id="play",
        ),
        pytest.param(
            RD,
            "why_us: [anomaly-alerts]",
            "why_us: [anomaly-alert]",
            f"plays/{RD}:6:10: error: unknown differentiator 'anomaly-alert'"
            " (did you mean 'anomaly-alerts'?)",
            id="differentiator",
        ),
        pytest.param(
            RD,
            "{competitor: status-quo,",
            "{competitor: status-qou,",
            f"plays/{RD}:10:18: error: unknown competitor 'status-qou'"
            " (did you mean 'status-quo'?)",
            id="competitor",
        ),
        pytest.param(
            PATH,
            "destination: cyber-resilience",
            "destination: cyber-resilienc",
            f"plays/{PATH}:1:14: error: unknown destination 'cyber-resilienc'"
            " (did you mean 'cyber-resilience'?)",
            id="destination",
        ),
        pytest.param(
            RD,
            "why_us: [anomaly-alerts]",
            "why_us: [status-quo]",
            f"plays/{RD}:6:10: error: 'status-quo' is a competitor, not a differentiator",
            id="wrong-kind",
        ),
    ],
)
def test_a_mistyped_reference_is_its_one_error_not_a_coverage_warning(
    tmp_path: Path, rel: str, old: str, new: str, error: str
) -> None:
    """The entity the typo meant was also "on no path" or "used by no play": a warning that
    went away when the typo was fixed."""
    result = check(tmp_path, replace_in(rel, old, new))
    assert result.diagnostics == [error]


def test_strict_turns_every_warning_into_an_error(tmp_path: Path) -> None:
    edits = {
        "destinations/other.yaml": "name: Other\npromise: Something.\n",
        **replace_in(AA, "reviewed: 2026-11-01", "reviewed: 2025-01-01"),
    }
    result = check(tmp_path, edits, "--strict")
    assert result.code == 1
    assert result.lines == [
        "plays/destinations/other.yaml:1:1: error: destination 'other' has no path leading to it",
        f"plays/{AA}:4:11: error: stale claim 'anomaly-alerts': last verified 691 days ago"
        " (limit 90); left out of partner and public editions",
        "2 errors, 0 warnings",
    ]


def test_two_entities_of_a_kind_with_one_name_warn_at_the_copy(tmp_path: Path) -> None:
    # a copied file with a new id: two kits for one company, two cards under one name
    rr = "partners/red-rock.yaml"
    edits = {
        rr: replace_in(rr, "name: Red Rock Solutions", "name: blue  river it")[rr],
        RD: replace_in(RD, "name: Recovery drills", "name: Backup Modernization")[RD],
    }
    result = check(tmp_path, edits)
    assert result.code == 0
    assert result.diagnostics == [
        f"plays/{rr}:1:7: warning: partner 'red-rock' has the name of partner 'blue-river'"
        " ('blue  river it'): readers cannot tell the two apart; rename one, or remove the copy",
        f"plays/{RD}:1:7: warning: play 'recovery-drills' has the name of play"
        " 'backup-modernization' ('Backup Modernization'): readers cannot tell the two apart;"
        " rename one, or remove the copy",
    ]
    assert check(tmp_path / "strict", edits, "--strict").code == 1


def test_names_one_in_unicode_or_but_for_an_invisible_character_are_one_name(
    tmp_path: Path,
) -> None:
    """ "Blue\u200b River IT" and a name typed with decomposed accents passed as new names:
    a copied partner file made two kits for one company without a word."""
    rr = "partners/red-rock.yaml"
    zero_width = replace_in(rr, "name: Red Rock Solutions", "name: Blue\u200b River IT")
    said = check(tmp_path / "zw", zero_width).diagnostics
    assert [line for line in said if "has the name of partner 'blue-river'" in line], said
    decomposed = unicodedata.normalize("NFD", "Blue Rivér IT")
    edits = {
        "partners/blue-river.yaml": replace_in(
            "partners/blue-river.yaml", "name: Blue River IT", "name: Blue Rivér IT"
        )["partners/blue-river.yaml"],
        rr: replace_in(rr, "name: Red Rock Solutions", f"name: {decomposed}")[rr],
    }
    said = check(tmp_path / "nfd", edits).diagnostics
    assert [line for line in said if "has the name of partner 'blue-river'" in line], said


#: what a warning about a link the outputs drop says after its target
LINK_FIX = (
    " is left out of every output (its text stays): only http(s) and mailto links are kept;"
    " link to where the file is published"
)


def test_a_link_the_outputs_drop_warns_where_it_is_written(tmp_path: Path) -> None:
    # the cards keep the label of a link to a file or a script, not the link: say so
    summary = "summary: Replace tape and legacy backup with immutable, off-site copies."
    edits = replace_in(
        BM,
        summary,
        'summary: See [the guide](docs/install-guide.pdf "Guide"), [lab](https://lab.example/r),'
        " [not a link](a b),"
        " [mail](mailto:a@example.com) and [x](javascript:alert(1)).",
    )
    result = check(tmp_path, edits)
    assert result.code == 0
    assert result.diagnostics == [
        f"plays/{BM}:2:26: warning: link to 'docs/install-guide.pdf'" + LINK_FIX,
        f"plays/{BM}:2:145: warning: link to 'javascript:alert(1)'" + LINK_FIX,
    ]


def test_an_image_in_text_warns_where_it_is_written(tmp_path: Path) -> None:
    # no output shows a picture from a text field (its alt text stands in for it), on the
    # web or not; a link around it is judged as a link
    summary = "summary: Replace tape and legacy backup with immutable, off-site copies."
    edits = replace_in(
        BM,
        summary,
        "summary: See ![the flow](docs/flow.png) and ![chart](https://cdn.example/c.png),"
        " [![badge](b.svg)](https://lab.example/r).",
    )
    result = check(tmp_path, edits)
    assert result.code == 0
    fix = (
        " is left out of every output (its alt text stays): text fields show no pictures;"
        " remove it, or link to where it is published"
    )
    line = (tmp_path / "plays" / BM).read_text().splitlines()[1]
    images = ("docs/flow.png", "https://cdn.example/c.png", "b.svg")
    assert result.diagnostics == [
        f"plays/{BM}:2:{line.index(f'({src})') + 2}: warning: image '{src}'" + fix for src in images
    ]


def test_dropped_links_are_the_links_the_renderers_read(tmp_path: Path) -> None:
    # a link is what the cards render as one: a reference link and an autolink are dropped
    # like an inline one, and warn where their target is written; link syntax in a code
    # span is no link (it is shown as written) and does not warn
    summary = "summary: Replace tape and legacy backup with immutable, off-site copies."
    edits = replace_in(
        BM,
        summary,
        "summary: |\n"
        "  Type `[runbook](runbook.pdf)` to link a file.\n"
        "\n"
        "  See [the runbook][r], [again][r], <file:///etc/passwd>\n"
        "  and [guide.pdf](<guide.pdf>).\n"
        "\n"
        "  [r]: runbook.pdf",
    )
    result = check(tmp_path, edits)
    assert result.code == 0
    assert result.diagnostics == [
        f"plays/{BM}:5:38: warning: link to 'file:///etc/passwd'" + LINK_FIX,
        f"plays/{BM}:6:20: warning: link to 'guide.pdf'" + LINK_FIX,
        f"plays/{BM}:8:8: warning: link to 'runbook.pdf'" + LINK_FIX,
    ]
    lines = (tmp_path / "plays" / BM).read_text().splitlines()
    assert [lines[4][37:], lines[5][19:28], lines[7][7:]] == [
        "file:///etc/passwd>",
        "guide.pdf",
        "runbook.pdf",
    ]


# --- roadmap in prose ---------------------------------------------------------------------------

#: anomaly detection made launch-ready, with an alias a marketer would write in prose
LAUNCH_READY = replace_in(
    "products/vault.yaml",
    "status: development, eta: 2027-Q2}",
    "status: launch-ready, eta: 2027-Q2, aliases: [Zone 0 certification]}",
)
OBJECTION = 'response: "Ask how long the last **restore** took."'
AS_FACT = 'response: "We hold **Zone 0 certification** already."'
NOT_AVAILABLE = (
    "'Zone 0 certification' names capability 'vault/anomaly-detection' ('Ransomware anomaly"
    " detection'), which is launch-ready (not available), in text partner editions show as fact:"
    " label it as roadmap, or narrow this text's audience"
)


def test_launch_ready_capability_named_in_a_partner_objection(tmp_path: Path) -> None:
    edits = {**LAUNCH_READY, **replace_in(BM, OBJECTION, AS_FACT)}
    result = check(tmp_path, edits)
    line = base_text(BM).replace(OBJECTION, AS_FACT).splitlines()[12]
    column = line.index("Zone 0") + 1
    assert result.code == 0
    assert result.diagnostics == [f"plays/{BM}:13:{column}: warning: {NOT_AVAILABLE}"]
    strict = check(tmp_path / "strict", edits, "--strict")
    assert strict.code == 1
    assert strict.diagnostics == [f"plays/{BM}:13:{column}: error: {NOT_AVAILABLE}"]


def test_roadmap_name_in_a_literal_block_is_located_at_its_line_and_column(
    tmp_path: Path,
) -> None:
    block = "why_now: |\n  Insurers now ask.\n  We hold zone 0 Certification today."
    edits = {
        **LAUNCH_READY,
        **replace_in(BM, "why_now: Insurers now ask for immutable backups at renewal.", block),
    }
    (line,) = check(tmp_path, edits).diagnostics
    assert line.startswith(f"plays/{BM}:10:11: warning: 'zone 0 Certification' names capability")


def test_capability_name_in_rep_text_while_in_development(tmp_path: Path) -> None:
    edits = replace_in(
        RD, "Who signs off that a restore worked?", "Would ransomware anomaly detection help?"
    )
    assert check(tmp_path, edits).diagnostics == [
        f"plays/{RD}:8:11: warning: 'ransomware anomaly detection' names capability"
        " 'vault/anomaly-detection', which is development (not available), in text rep editions"
        " show as fact: label it as roadmap, or narrow this text's audience"
    ]


def test_capability_hidden_from_the_texts_audience(tmp_path: Path) -> None:
    edits = {
        **replace_in("products/vault.yaml", "status: ga}", "status: ga, audience: rep}"),
        **replace_in(BM, "with immutable, off-site copies.", "with immutable snapshots off-site."),
    }
    column = base_text(BM).splitlines()[1].index("immutable") + 1
    assert (
        f"plays/{BM}:2:{column}: warning: 'immutable snapshots' names capability"
        " 'vault/immutable-snapshots', which partner editions do not show (it reaches rep"
        " editions at most), in text partner editions show: remove it, or narrow this text's"
        " audience"
    ) in check(tmp_path, edits).lines


def test_roadmap_names_in_internal_text_or_beside_their_label_are_fine(tmp_path: Path) -> None:
    edits = {
        **LAUNCH_READY,
        **replace_in(BM, OBJECTION + "}", AS_FACT + ", audience: internal}"),
        # a claim naming the capability it rests on: its card shows the roadmap label beside it
        **replace_in(
            AA,
            "Only we flag ransomware inside the backup stream itself.",
            "Ransomware anomaly detection flags the backup stream itself.",
        ),
    }
    assert check(tmp_path, edits).diagnostics == []


def test_the_phrase_search_is_linear() -> None:
    from salesplay.checks import _Phrases

    # every prefix of a long phrase is a phrase too: a search restarting at each word would
    # read ~300 words per word of the text
    phrases = _Phrases([(" ".join(["x"] * k + ["y"]), f"k{k}") for k in range(1, 301)])

    class Counted(list[Any]):
        """The automaton's tables, counting each read (counted, not timed: a busy machine
        made a timed ratio fail)."""

        reads = 0

        def __getitem__(self, index: Any) -> Any:
            Counted.reads += 1
            return super().__getitem__(index)

    phrases.next, phrases.fail = Counted(phrases.next), Counted(phrases.fail)
    for words in (20_000, 80_000):
        Counted.reads = 0
        assert phrases.first_each("x " * words) == []
        assert Counted.reads <= 4 * words, (words, Counted.reads)
    found = phrases.first_each("x " * 1000 + "y")
    assert len(found) == 20  # at most MAX_CAPABILITIES_PER_FIELD per field
    assert phrases.first_each("an X  x-Y here") == [(3, "X  x-Y", "k2"), (6, "x-Y", "k1")]


def test_aliases_are_names_to_look_for_not_prose(tmp_path: Path) -> None:
    # an acronym in an alias is no jargon: readers never see aliases
    edits = replace_in(
        "products/vault.yaml",
        "status: development,",
        "status: development, aliases: [ATEX Zone 0],",
    )
    assert check(tmp_path, edits).diagnostics == []


def test_a_character_no_installed_font_draws_is_one_warning_where_it_is_written(
    tmp_path: Path,
) -> None:
    """A private-use icon pasted into a summary came out as a box on every card, with no
    word from check. Characters the installed fonts draw (CJK and emoji, which make
    installs) are fine; one warning per character, counting the other places."""
    text = "summary: Replace tape \ue000 with immutable copies, 日本 and 🛡️.\n"
    edits = replace_in(
        BM, "summary: Replace tape and legacy backup with immutable, off-site copies.\n", text
    )
    rd = base_text(RD).replace("name: Recovery drills\n", "name: Recovery drills \ue000\n")
    result = check(tmp_path, {**edits, RD: rd})
    assert result.code == 0
    assert [line for line in result.diagnostics if "in no installed font" in line] == [
        f"plays/{BM}:2:23: warning: U+E000 private-use character is in no installed font:"
        " every output would show it as a box (and 1 more place); remove it, or install a"
        " font that has it"
    ]


def test_the_glyph_check_reads_the_fonts_fontconfig_lists() -> None:
    from salesplay import glyphs

    covered = glyphs.Coverage([(0x20, 0x7E), (0x3040, 0x309F)])
    assert glyphs.undrawable("abc あ \u200b\ufe0f \ue000 ア", covered) == ["\ue000", "ア"]
    assert glyphs.plain("Plain — text, “quoted” …") and not glyphs.plain("あ")
    assert glyphs.installed() is not None  # make installs fontconfig


def test_markdown_in_a_name_is_a_warning_at_the_name(tmp_path: Path) -> None:
    """Names are plain: "Backup **modernization**" showed its asterisks on every card,
    slide and page, while the feed's text dropped them. Names that only look alike
    (AT&T, Dell_EMC, a bracket without a link) are no Markdown."""
    edits = {
        **replace_in(BM, "name: Backup modernization", "name: Backup **modernization**"),
        **replace_in(RD, "name: Recovery drills", "name: Recovery_drills at AT&T [beta]"),
    }
    said = check(tmp_path, edits).diagnostics
    assert [line for line in said if "Markdown in its name" in line] == [
        f"plays/{BM}:1:7: warning: play 'backup-modernization' has Markdown in its name"
        " ('Backup **modernization**'): a name is shown as written, asterisks and brackets"
        " too, on every card, slide and page; write it plain"
    ]


def test_an_empty_logo_or_min_tier_is_an_error_not_left_out(tmp_path: Path) -> None:
    """`logo: ''` was taken for no logo and `min_tier: ''` for the lowest tier (the play went
    into every kit), while `' '` was an error."""
    result = check(
        tmp_path,
        {
            **replace_in(RD, "min_tier: registered", "min_tier: ''"),
            "partners/red-rock.yaml": base_text("partners/red-rock.yaml") + "logo: ''\n",
            **replace_in("catalog.yaml", "logo: assets/northwind.svg", "logo: ''"),
        },
    )
    assert result.code == 1
    assert [d.split(": error: ")[1] for d in result.diagnostics] == [
        "asset path is empty: name a file under assets/",
        "asset path is empty: name a file under assets/",
        "unknown tier ''; tiers are registered, silver, gold",
    ]


BM = "plays/backup-modernization.yaml"


def test_an_empty_min_tier_or_inner_audience_is_an_error_not_left_out(tmp_path: Path) -> None:
    """`min_tier:` with no value was read as no minimum: a silver play went into the kit of a
    registered partner; an objection's or proof's `audience:` with no value took the
    audience of its play, maybe wider than the value cleared."""
    result = check(
        tmp_path,
        {
            BM: base_text(BM)
            .replace("min_tier: silver}", "min_tier: }")
            .replace("audience: public}", "audience: }"),
            **replace_in("partners/red-rock.yaml", "tier: silver", "tier:"),
        },
    )
    assert (result.code, result.diagnostics) == (
        1,
        [
            "plays/partners/red-rock.yaml:2:6: error: 'tier' should be a string, found nothing:"
            " write its value after the colon",
            f"plays/{BM}:19:105: error: empty `audience:`: write one of internal, rep, partner,"
            " public, or leave the field out to give the item the audience of what holds it",
            f"plays/{BM}:21:52: error: empty `min_tier:`: name the lowest tier that may sell"
            " this play (tiers are registered, silver, gold), or leave the field out to open the"
            " play to every tier",
        ],
    )


def test_text_nested_deeper_than_the_outputs_read_is_an_error(tmp_path: Path) -> None:
    """A bullet nested ten deep was an empty bullet on every card, deck and playbook
    (markdown-it stopped reading past its nesting limit, in silence)."""
    from salesplay import richtext

    def nested(n: int) -> str:
        return "why_now: |\n" + "".join("  " + "  " * i + f"- level {i}\n" for i in range(n))

    why_now = "why_now: Auditors now ask for recovery evidence.\n"
    shown = (richtext.MAX_NESTING - 2) // 2
    fine = check(tmp_path / "a", replace_in(RD, why_now, nested(shown)))
    assert fine.code == 0, fine.stderr
    tokens = richtext._tokens(nested(shown).split("|\n", 1)[1].replace("\n  ", "\n")[2:])
    assert sum(t.type == "inline" for t in tokens) == shown  # every level read
    deep = check(tmp_path / "b", replace_in(RD, why_now, nested(shown + 1)))
    assert deep.code == 1
    assert deep.diagnostics == [
        f"plays/{RD}:5:10: error: 'why_now' nests its lists too deep (about {shown + 1} levels;"
        f" the outputs show {shown} and would leave out the rest of the text): flatten it"
    ]


def test_a_competitor_named_twice_for_two_audiences_is_two_items(tmp_path: Path) -> None:
    """A claim's public detail against a competitor, and an internal one beside it, are
    each for their own readers (the canary catalog writes them so)."""
    imm = "differentiators/immutable-by-default.yaml"
    versus = "  - {competitor: acme, detail: Acme charges for immutability as an add-on tier.}"
    internal = f"{versus}\n  - {{competitor: acme, detail: Our margin story., audience: internal}}"
    result = check(tmp_path, {imm: base_text(imm).replace(versus, internal)})
    assert not [d for d in result.diagnostics if "listed twice" in d], result.diagnostics


def test_a_glossary_meaning_is_read_by_everyone_so_names_no_unreleased_capability(
    tmp_path: Path,
) -> None:
    """Every decoder (partners' kits too) and the public feed show the glossary: a meaning
    naming a capability in development was in partners' kits with no warning."""
    meaning = "immutable: Cannot be changed; Ransomware anomaly detection warns you."
    edits = replace_in("glossary.yaml", base_text("glossary.yaml").splitlines()[1], meaning)
    column = meaning.index("Ransomware") + 1
    assert check(tmp_path, edits).diagnostics == [
        f"plays/glossary.yaml:2:{column}: warning: 'Ransomware anomaly detection' names"
        " capability 'vault/anomaly-detection', which public editions do not show (it reaches"
        " rep editions at most), in text public editions show: remove it, or narrow this"
        " text's audience"
    ]


def test_a_wildcard_glossary_term_defines_the_acronyms_it_begins(tmp_path: Path) -> None:
    """`SLA*` explains "SLAs" on the card: the jargon lint called it undefined."""
    edits = {
        "glossary.yaml": base_text("glossary.yaml") + "SLA*: Service level agreement.\n",
        **replace_in(BM, "with immutable, off-site copies.", "with immutable copies and SLAs."),
    }
    assert check(tmp_path, edits).diagnostics == []
    unexplained = {**edits, "glossary.yaml": base_text("glossary.yaml")}
    assert [
        d.split(": warning: ")[1][:23] for d in check(tmp_path / "b", unexplained).diagnostics
    ] == ["undefined jargon 'SLAs'"]


def test_glossary_terms_that_cannot_work_as_written_are_warnings_at_the_term(
    tmp_path: Path,
) -> None:
    """Terms "RPO" and "rpo" were both taken, and a card's decoder explained RPO twice; a term with
    a zero-width space pasted into it matched no text, and nothing said so."""
    glossary = base_text("glossary.yaml") + "rpo: Recovery point.\nair\u200bgap: Offline copy.\n"
    result = check(tmp_path, {"glossary.yaml": glossary})
    assert (result.code, result.diagnostics) == (
        0,
        [
            "plays/glossary.yaml:3:1: warning: glossary term 'rpo' is 'RPO' in another case: a"
            " text that writes one matches both, and its decoder explains it twice; keep one",
            "plays/glossary.yaml:4:1: warning: glossary term 'air\\u200bgap' holds U+200B zero"
            " width space, which no text writes: it matches nothing; retype the term",
        ],
    )


# --- partner bands ------------------------------------------------------------------------------

#: a long contact the band holds whole on three lines (it was two, the website left off)
LONG_CONTACT = (
    "contact:\n"
    "  name: Dana Alexandra Ruiz-Montgomery, Senior Director of Strategic Alliances and"
    " Channel Partnerships\n"
    "  email: dana.ruiz-montgomery@blueriver-consulting-managed-services.example\n"
    '  phone: "+1 555 0100 ext. 4471"\n'
    "  website: https://www.blueriver-consulting-managed-services.example/partners/"
    "northwind-backup-and-recovery\n"
)


def test_a_long_contact_the_band_holds_whole_is_no_warning(tmp_path: Path) -> None:
    short = "contact: {name: Dana Ruiz, email: dana@blueriver.example}\n"
    result = check(tmp_path, replace_in("partners/blue-river.yaml", short, LONG_CONTACT))
    assert (result.code, result.diagnostics) == (0, [])


def test_a_contact_the_band_cannot_hold_is_a_warning_at_the_field_left_off(
    tmp_path: Path,
) -> None:
    short = "contact: {name: Dana Ruiz, email: dana@blueriver.example}\n"
    # four lines even at 6 pt: name | e-mail | phone | website (no two of them share a line)
    longer = (
        LONG_CONTACT.replace("Partnerships\n", "Partnerships, EMEA\n")
        .replace(
            "dana.ruiz-montgomery@", "dana.ruiz-montgomery.emea-and-apac-and-latam-partner-desk@"
        )
        .replace("recovery\n", "recovery/emea-and-apac-and-latam\n")
    )
    result = check(tmp_path, replace_in("partners/blue-river.yaml", short, longer))
    assert result.code == 0
    assert result.diagnostics == [
        "plays/partners/blue-river.yaml:8:12: warning: partner 'blue-river': the contact does"
        " not fit the 'Presented by' band of its customer briefs (3 lines of 386 pt, each"
        " field whole, at 6 pt at the least): its website would be left off; shorten the"
        " contact, its website first (120 characters)"
    ]
    # one longer than a line even at 6 pt is cut: told at that field
    wide = LONG_CONTACT.replace("recovery\n", "recovery/" + "x" * 150 + "\n")
    result = check(tmp_path / "wide", replace_in("partners/blue-river.yaml", short, wide))
    assert [d.split(": warning: ")[0] for d in result.diagnostics] == [
        "plays/partners/blue-river.yaml:8:12"
    ]
    assert "its website would be cut with '…'" in result.diagnostics[0]
    as_json = check(
        tmp_path / "json", replace_in("partners/blue-river.yaml", short, wide), "--format", "json"
    )
    assert '"code": "band-contact-cut"' in as_json.stdout


def test_a_partner_name_the_band_cuts_even_at_6_pt_is_a_warning_at_the_name(
    tmp_path: Path,
) -> None:
    """A 300-character name was set at 2.4 pt on every band of the partner's kit, without a
    word; one too long for the band's first line even at 6 pt is cut with "…" and told."""
    long = "Blue River Regional Managed Services and Cloud Consulting Partner " * 3
    result = check(tmp_path, replace_in("partners/blue-river.yaml", "Blue River IT", long.strip()))
    assert (result.code, result.diagnostics) == (
        0,
        [
            "plays/partners/blue-river.yaml:1:7: warning: partner 'blue-river': its name (197"
            " characters) does not fit the first line of its kit's bands (386 pt) even at 6 pt,"
            " in 'en': the PDFs cut it with '…'; shorten the name (the name it trades under,"
            " say)"
        ],
    )
    fits = "Blue River Regional Managed Services and Cloud Consulting Partner"
    result = check(tmp_path / "fits", replace_in("partners/blue-river.yaml", "Blue River IT", fits))
    assert (result.code, result.diagnostics) == (0, [])


def _channel_name(fits: str, cut: str) -> str:
    """A channel contact's name whose team-band line fits in `fits`' label and is cut in
    `cut`'s (the German label is longer): found by the band's own measure."""
    from salesplay.labels import channel_contact_lines, labels_for
    from salesplay.render.band import KIT_PAGE_WIDTH_PT, contact_fit

    def whole(locale: str, name: str) -> bool:
        lines = channel_contact_lines("Northwind Systems", (name,), labels_for(locale))
        return not contact_fit(lines, KIT_PAGE_WIDTH_PT).cut

    for n in range(40, 200):
        name = ("Priya Raman and the partner desk of " + "EMEA " * 40)[:n].strip()
        if whole(fits, name) and not whole(cut, name):
            return name
    raise AssertionError("no such name")


def test_a_channel_contact_the_team_band_cannot_hold_is_a_warning_naming_the_language(
    tmp_path: Path,
) -> None:
    """The team band ("For the sellers of …") leads the vendor's channel contact with a
    built-in label, which a translation lengthens: a name that fits in English was cut with
    "…" in German kits, and nothing said so. Told once, at the catalog's `channel`, for the
    kits of the languages where it does not fit; a partner's own contact at its file."""
    name = _channel_name("en", "de")
    channel = f"channel:\n  name: {name}\n  email: partners@northwind.example\n"
    edits = {
        **replace_in("catalog.yaml", "review:", f"locales: [de]\n{channel}review:"),
        **replace_in("partners/blue-river.yaml", "regions:", "locale: [de, en]\nregions:"),
    }
    result = check(tmp_path, edits)
    assert result.code == 0
    assert result.diagnostics == [
        "plays/catalog.yaml:12:9: warning: the vendor's channel contact ('channel') does not"
        " fit the 'For the sellers of' band of the kits in 'de' (3 lines, each field whole, at"
        " 6 pt at the least): its name line would be cut with '…'; shorten the contact, or the"
        " label 'Your channel contact at %(company)s: %(contact)s' that leads its name"
        " (templates/locale/<language>.po)"
    ]
    # English kits only: no warning; a partner's own contact is told at its file
    english = {k: v for k, v in edits.items() if k == "catalog.yaml"}
    assert check(tmp_path / "en", english).diagnostics == []
    own = {
        "partners/red-rock.yaml": base_text("partners/red-rock.yaml")
        + f"locale: de\nchannel_contact:\n  name: {name}\n",
        **replace_in("catalog.yaml", "review:", "locales: [de]\nreview:"),
    }
    result = check(tmp_path / "own", own)
    assert [d.split(": its name line")[0] for d in result.diagnostics] == [
        "plays/partners/red-rock.yaml:5:9: warning: partner 'red-rock': its channel contact"
        " does not fit the 'For the sellers of' band of the kits in 'de' (3 lines, each field"
        " whole, at 6 pt at the least)"
    ]


def test_a_review_date_after_the_as_of_date_is_a_warning_with_the_year_meant(
    tmp_path: Path,
) -> None:
    """`reviewed: 2027-09-15` (the year mistyped) kept the claim fresh a year longer, and
    nothing said so."""
    result = check(tmp_path, replace_in(IBD, "reviewed: 2026-09-15", "reviewed: 2027-09-15"))
    assert result.code == 0
    assert result.diagnostics == [
        f"plays/{IBD}:8:11: warning: claim 'immutable-by-default' was reviewed 296 days after"
        " the as-of date 2026-11-23: it cannot go stale before 2027-12-15 (did you mean"
        " 2026-09-15?)"
    ]
    # a day ahead is a reviewer east of UTC writing their own date: not told
    ahead = check(
        tmp_path / "ahead", replace_in(IBD, "reviewed: 2026-09-15", "reviewed: 2026-11-24")
    )
    assert (ahead.code, ahead.diagnostics) == (0, [])


def test_a_partners_locale_not_built_names_each_built_locale_once(tmp_path: Path) -> None:
    """The source locale listed in `locales` too (its own error) was named twice in a
    partner's "(built: de, de, ja)"."""
    edits = {
        **replace_in("catalog.yaml", "review:", "source_locale: de\nlocales: [de, ja]\nreview:"),
        **replace_in("partners/blue-river.yaml", "regions:", "locale: fr\nregions:"),
    }
    result = check(tmp_path, edits)
    assert result.code == 1
    (said,) = [d for d in result.diagnostics if "blue-river" in d]
    assert said.endswith("which the catalog is not built in; add it to `locales` in catalog.yaml"
                         " (built: de, ja)"), said  # fmt: skip
