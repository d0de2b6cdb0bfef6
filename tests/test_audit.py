"""The edition audit: silent losses as located warnings in check, and `salesplay explain`."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from conftest import AS_OF, base_text, check, make_catalog, replace_in, run_cli
from salesplay.context import Context
from salesplay.pipeline import check_catalog

BM = "plays/plays/backup-modernization.yaml"
RD = "plays/recovery-drills.yaml"
DEST = "destinations/cyber-resilience.yaml"
#: the fixture's vault product and acme competitor as a new user writes them: no audience
VAULT_DEFAULT = {
    "products/vault.yaml": base_text("products/vault.yaml").replace("audience: partner\n", "")
}
ACME_DEFAULT = {
    "competitors/acme.yaml": base_text("competitors/acme.yaml").replace("audience: partner\n", "")
}
PUBLIC_DEST = {DEST: base_text(DEST) + "audience: public\n"}
PARTNER_DEST = {DEST: base_text(DEST) + "audience: partner\n"}
#: a public play with public customer proof, on the (rep) path to the destination
PUBLIC_PROOF = {
    "plays/recovery-drills.yaml": base_text("plays/recovery-drills.yaml")
    + "audience: public\nproof: [{customer: Fabrikam, result: Drill passed in 20 minutes.}]\n"
}
EXPLAIN = "(salesplay explain backup-modernization --audience partner)"


def warnings_of(lines: list[str], code_words: str) -> list[str]:
    return [line for line in lines if code_words in line]


def test_product_left_at_the_default_audience_empties_the_partner_why_us(tmp_path: Path) -> None:
    result = check(tmp_path, VAULT_DEFAULT)
    assert result.code == 0
    default = "audience 'rep' by default: this product sets no `audience:` at its top"
    assert (
        f"{BM}:9:1: warning: the partner card of play 'backup-modernization' has no why-us left:"
        " 'immutable-by-default': every capability behind it is hidden:"
        f" vault/immutable-snapshots ({default}) {EXPLAIN}"
    ) in result.lines
    # and the play rests wholly on what partners may not sell
    assert (
        f"{BM}:9:1: warning: partners sell play 'backup-modernization', but 1 of the 1"
        f" capabilities behind its why-us are not theirs to sell: vault/immutable-snapshots"
        f" ({default})"
    ) in result.lines
    assert check(tmp_path / "strict", VAULT_DEFAULT, "--strict").code == 1


def test_competitors_left_at_the_default_audience_empty_the_partner_card(tmp_path: Path) -> None:
    result = check(tmp_path, ACME_DEFAULT)
    assert result.diagnostics == [
        f"{BM}:14:1: warning: the partner card of play 'backup-modernization' shows none of the"
        " competitors it names: 'acme': audience 'rep' by default: this competitor sets no"
        f" `audience:` at its top {EXPLAIN}"
    ]


def test_an_explicit_narrow_audience_on_the_matchup_is_named_with_its_line(tmp_path: Path) -> None:
    edits = replace_in(
        "plays/backup-modernization.yaml",
        "    talk_track: Acme is solid",
        "    audience: rep\n    talk_track: Acme is solid",
    )
    (line,) = check(tmp_path, edits).diagnostics
    assert line.startswith(f"{BM}:14:1: warning: the partner card")
    assert "'acme': audience 'rep' set at plays/plays/backup-modernization.yaml:17" in line


def test_a_stale_loss_is_reported_once_by_the_stale_warning(tmp_path: Path) -> None:
    # acme 92 days old: stale, so the partner card loses it; the stale warning says so
    result = check(tmp_path, as_of="2027-01-01")
    assert not warnings_of(result.lines, "shows none of the competitors")
    assert warnings_of(result.lines, "stale competitor intelligence 'acme'")


#: a public destination whose product and claims are public: only staleness can cost its pitch
PUBLIC_CLAIMS = {
    **PUBLIC_DEST,
    "products/vault.yaml": base_text("products/vault.yaml").replace(
        "audience: partner", "audience: public"
    ),
    "differentiators/immutable-by-default.yaml": base_text(
        "differentiators/immutable-by-default.yaml"
    ).replace("audience: partner", "audience: public"),
    "differentiators/anomaly-alerts.yaml": base_text("differentiators/anomaly-alerts.yaml")
    + "audience: public\n",
}


def test_a_pitch_deck_losing_its_why_slide_to_staleness_alone_is_the_stale_warnings(
    tmp_path: Path,
) -> None:
    """The deck's warning repeated what the stale warnings said, reason by reason."""
    result = check(tmp_path, PUBLIC_CLAIMS, as_of="2027-02-15")
    assert warnings_of(result.lines, "stale claim") == [
        "plays/differentiators/anomaly-alerts.yaml:4:11: warning: stale claim 'anomaly-alerts':"
        " last verified 106 days ago (limit 90); left out of partner and public editions",
        "plays/differentiators/immutable-by-default.yaml:8:11: warning: stale claim"
        " 'immutable-by-default': last verified 153 days ago (limit 90); left out of partner and"
        " public editions",
    ]
    assert warnings_of(result.lines, "'Why Northwind Systems' slide") == []
    # one claim stale, the other hidden by its roadmap: the deck's loss is its own finding
    partly = check(tmp_path / "partly", PUBLIC_CLAIMS, as_of="2027-01-01")
    assert warnings_of(partly.lines, "'Why Northwind Systems' slide") == [
        "plays/destinations/cyber-resilience.yaml:6:1: warning: the public pitch deck of"
        " destination 'cyber-resilience' has no 'Why Northwind Systems' slide: no claim backed"
        " by its products reaches the public edition: 'anomaly-alerts': roadmap: in development"
        " reaches rep editions at most; 'immutable-by-default': stale: last verified 108 days"
        " ago (limit 90)"
    ]


def test_pitch_deck_without_proof_and_without_why_us(tmp_path: Path) -> None:
    # public destination, public product, partner claim: no "Why" slide, no public proof
    edits = {
        **PUBLIC_DEST,
        "products/vault.yaml": base_text("products/vault.yaml").replace(
            "audience: partner", "audience: public"
        ),
    }
    result = check(tmp_path, edits)
    assert result.code == 0
    dest = "plays/destinations/cyber-resilience.yaml"
    assert (
        f"{dest}:6:1: warning: the public pitch deck of destination 'cyber-resilience' has no"
        " 'Why Northwind Systems' slide: no claim backed by its products reaches the public"
        " edition: 'anomaly-alerts': audience 'rep' by default: this differentiator sets no"
        " `audience:` at its top; 'immutable-by-default': audience 'partner' set at"
        " plays/differentiators/immutable-by-default.yaml:9"
    ) in result.lines
    assert (
        f"{dest}:1:1: warning: the public pitch deck of destination 'cyber-resilience' has no"
        " 'Proof' slide: no customer proof of its plays reaches the public edition:"
        " play 'backup-modernization': audience 'partner' set at"
        " plays/plays/backup-modernization.yaml:3"
    ) in result.lines


def test_pitch_deck_proof_lost_to_a_path_the_public_may_not_see(tmp_path: Path) -> None:
    edits = {**PUBLIC_DEST, **PUBLIC_PROOF}
    (line,) = warnings_of(check(tmp_path, edits).lines, "'Proof' slide")
    assert line.endswith(
        "play 'recovery-drills' is on no path to it that the public edition shows (path"
        " 'resilience-journey': audience 'rep' by default: this path sets no `audience:` at its"
        " top)"
    )


def test_pitch_deck_whose_products_are_all_hidden(tmp_path: Path) -> None:
    result = check(tmp_path, PUBLIC_DEST)
    (line,) = warnings_of(result.lines, "slide: none of its products")
    assert line.startswith("plays/destinations/cyber-resilience.yaml:6:1: warning:")
    assert "'vault': audience 'partner' set at plays/products/vault.yaml:6" in line


def test_a_full_pitch_deck_is_not_reported(tmp_path: Path) -> None:
    edits = {
        **PUBLIC_CLAIMS,
        **PUBLIC_PROOF,
        "paths/resilience-journey.yaml": base_text("paths/resilience-journey.yaml")
        + "audience: public\n",
    }
    result = check(tmp_path, edits)
    assert not warnings_of(result.lines, "pitch deck"), result.lines


def test_kit_pitch_deck_without_proof_names_the_tiers(tmp_path: Path) -> None:
    # the public pitch has proof (recovery-drills), but only gold kits hold that play
    edits = {
        **PUBLIC_DEST,
        **PUBLIC_PROOF,
        "products/vault.yaml": base_text("products/vault.yaml").replace(
            "audience: partner", "audience: public"
        ),
        "paths/resilience-journey.yaml": base_text("paths/resilience-journey.yaml")
        + "audience: public\n",
    }
    edits["plays/recovery-drills.yaml"] = edits["plays/recovery-drills.yaml"].replace(
        "min_tier: registered", "min_tier: gold"
    )
    (line,) = warnings_of(check(tmp_path, edits).lines, "'Proof' slide")
    assert line == (
        "plays/destinations/cyber-resilience.yaml:1:1: warning: the pitch deck of destination"
        " 'cyber-resilience' in the kits of silver partners has no 'Proof' slide: no play of"
        " those kits on a path to it has public customer proof"
    )


def test_destination_partners_see_without_a_customer_deck(tmp_path: Path) -> None:
    result = check(tmp_path, PARTNER_DEST)
    assert result.diagnostics == [
        "plays/destinations/cyber-resilience.yaml:1:1: warning: destination 'cyber-resilience'"
        " is in the partner edition but has no customer pitch deck: audience 'partner' set at"
        " plays/destinations/cyber-resilience.yaml:7 (make it audience: public, or narrow it"
        " to rep)"
    ]


def test_partner_play_resting_mostly_on_what_partners_may_not_sell(tmp_path: Path) -> None:
    vault = base_text("products/vault.yaml").replace(
        "eta: 2027-Q2}\n",
        "eta: 2027-Q2}\n  - {id: copilot, name: Recovery copilot, status: concept}\n",
    )
    edits = {
        "products/vault.yaml": vault,
        "differentiators/anomaly-alerts.yaml": base_text(
            "differentiators/anomaly-alerts.yaml"
        ).replace("[vault/anomaly-detection]", "[vault/anomaly-detection, vault/copilot]")
        + "audience: partner\n",
        **replace_in(
            "plays/backup-modernization.yaml",
            "why_us: [immutable-by-default]",
            "why_us: [immutable-by-default, anomaly-alerts]",
        ),
    }
    result = check(tmp_path, edits)
    assert result.diagnostics == [
        f"{BM}:9:1: warning: partners sell play 'backup-modernization', but 2 of the 3"
        " capabilities behind its why-us are not theirs to sell: vault/anomaly-detection"
        " (roadmap: in development reaches rep editions at most); vault/copilot (roadmap:"
        " concept reaches rep editions at most)"
    ]
    # one of two is not "mostly": nothing to say
    edits["differentiators/anomaly-alerts.yaml"] = (
        base_text("differentiators/anomaly-alerts.yaml") + "audience: partner\n"
    )
    assert check(tmp_path / "half", edits).diagnostics == []


def test_a_partner_whose_kit_holds_no_play_is_warned_at_its_tier(tmp_path: Path) -> None:
    """A registered partner got a kit of an index page and its news, and nobody knew: the
    one play meant for registered partners was left at the default (rep) audience."""
    registered = replace_in("partners/red-rock.yaml", "tier: silver", "tier: registered")
    result = check(tmp_path / "a", registered)
    assert result.code == 0
    assert result.diagnostics == [
        "plays/partners/red-rock.yaml:2:1: warning: partner 'red-rock' gets an empty kit: no"
        " play reaches tier 'registered': play 'recovery-drills': audience 'rep' by default:"
        " this play sets no `audience:` at its top; the kits' plays start at tier 'silver'"
        " (1 play): raise this partner's tier, or bring a play to it"
    ]
    assert check(tmp_path / "strict", registered, "--strict").code == 1
    # `audience:` written with no value is the default too, and said so
    empty = {
        **registered,
        **replace_in(RD, "name: Recovery drills\n", "name: Recovery drills\naudience:\n"),
    }
    assert check(tmp_path / "empty", empty).diagnostics == [
        "plays/partners/red-rock.yaml:2:1: warning: partner 'red-rock' gets an empty kit: no"
        " play reaches tier 'registered': play 'recovery-drills': audience 'rep' by default:"
        " the `audience:` at the top of this play (plays/plays/recovery-drills.yaml:2) is empty"
        " (write internal, rep, partner or public); the kits' plays start at tier 'silver'"
        " (1 play): raise this partner's tier, or bring a play to it"
    ]
    # the play opened to partners: the kit holds it, nothing to say
    opened = {
        **registered,
        **replace_in(RD, "name: Recovery drills\n", "name: Recovery drills\naudience: partner\n"),
    }
    assert not [line for line in check(tmp_path / "b", opened).lines if "empty kit" in line]
    # no play reaches any partner: both kits are empty
    no_block = replace_in(
        "plays/backup-modernization.yaml",
        "partner: {role: Partner runs the proof of concept, min_tier: silver}\n",
        "",
    )
    lines = check(tmp_path / "c", no_block).diagnostics
    assert [line.split(": warning: ")[0] for line in lines if "empty kit" in line] == [
        "plays/partners/blue-river.yaml:2:1",
        "plays/partners/red-rock.yaml:2:1",
    ]
    assert all("no play reaches any partner" in line for line in lines if "empty kit" in line)


def test_sample_catalog_checks_with_no_errors_and_reports_its_real_losses() -> None:
    sample = Path(__file__).parent.parent / "plays"
    ctx = Context(catalog=sample, as_of=dt.date(2026, 11, 30))
    assert check_catalog(ctx) is not None
    assert not ctx.reporter.errors
    codes = {(d.code, d.subject) for d in ctx.reporter.warnings}
    # the finding: the sample's pitch decks have a Why slide but no Proof slide
    assert ("pitch-without-proof", ("destination", "cyber-resilience")) in codes
    assert ("pitch-without-why-us", ("destination", "cyber-resilience")) not in codes
    # a competitor weakness states a launch-ready capability as fact to partners
    assert ("roadmap-in-prose", ("competitor", "ironclad")) in codes


# --- salesplay explain ----------------------------------------------------------------------


def explain(tmp_path: Path, edits: dict[str, str] | None, *args: str) -> tuple[int, str, str]:
    make_catalog(tmp_path, edits)
    result = run_cli("explain", *args, "--catalog", "plays", "--as-of", "2026-11-23", cwd=tmp_path)
    return result.code, result.stdout, result.stderr


def test_explain_prints_what_an_edition_leaves_out_and_why(tmp_path: Path) -> None:
    code, out, err = explain(
        tmp_path, VAULT_DEFAULT, "backup-modernization", "--audience", "partner"
    )
    assert (code, err) == (0, "")
    default = "audience 'rep' by default: this product sets no `audience:` at its top"
    hidden = f"every capability behind it is hidden: vault/immutable-snapshots ({default})"
    assert out.splitlines() == [
        "backup-modernization in the partner edition: 0 of 1 why-us claims, 1 of 1 competitors,"
        " 1 of 1 objections, 1 of 1 customer proofs; left out:",
        "  plays/competitors/acme.yaml:7:10: pricing: audience 'internal' set at"
        " plays/competitors/acme.yaml:7",
        f"  {BM}:4:12: product 'vault': {default}",
        f"    because plays/products/vault.yaml:1:1: product 'vault': {default}",
        f"  {BM}:9:10: why-us claim 'immutable-by-default': {hidden}",
        "    because plays/differentiators/immutable-by-default.yaml:3:12: claim"
        f" 'immutable-by-default': {hidden}",
    ]


def test_explain_every_edition_and_a_play_left_out(tmp_path: Path) -> None:
    code, out, _ = explain(tmp_path, None, "backup-modernization")
    assert code == 0
    heads = [line for line in out.splitlines() if not line.startswith(" ")]
    assert [h.split(":")[0] for h in heads] == [
        f"backup-modernization in the {a} edition" for a in ("internal", "rep", "partner", "public")
    ]
    assert heads[-1] == "backup-modernization in the public edition: left out"
    assert (
        f"  {BM}:1:1: play 'backup-modernization': audience 'partner' set at"
        " plays/plays/backup-modernization.yaml:3" in out
    )


def test_explain_for_a_partner_names_the_tier(tmp_path: Path) -> None:
    # red-rock made registered; the play is for silver and above
    registered = replace_in("partners/red-rock.yaml", "tier: silver", "tier: registered")
    code, out, _ = explain(tmp_path, registered, "backup-modernization", "--partner", "red-rock")
    assert code == 0
    assert out.splitlines() == [
        "backup-modernization in the kit of partner 'red-rock' (registered tier): left out",
        f"  {BM}:21:62: play 'backup-modernization': tier: for silver partners and above"
        " (this kit is registered)",
    ]
    code, out, _ = explain(
        tmp_path / "gold", None, "backup-modernization", "--partner", "blue-river"
    )
    assert out.startswith(
        "backup-modernization in the kit of partner 'blue-river' (gold tier): 1 of 1"
    )


def test_explain_usage_errors_and_catalog_errors(tmp_path: Path) -> None:
    code, _, err = explain(tmp_path, None, "backup-modernisation")
    assert code == 2
    assert "unknown play 'backup-modernisation' (did you mean 'backup-modernization'?)" in err
    code, _, err = explain(tmp_path / "p", None, "backup-modernization", "--partner", "blue-rivr")
    assert code == 2 and "(did you mean 'blue-river'?)" in err
    # a play's file saved under another suffix is named, not a did-you-mean to another play
    spare = {"plays/backup-modernizing.yaml.bak": base_text("plays/backup-modernization.yaml")}
    code, _, err = explain(tmp_path / "s", spare, "backup-modernizing")
    assert code == 2
    assert (
        "unknown play 'backup-modernizing' (plays/backup-modernizing.yaml.bak is not read: only"
        " .yaml and .yml files are; rename it to 'backup-modernizing.yaml')" in err
    )
    broken = replace_in(
        "plays/backup-modernization.yaml", "why_us: [immutable-by-default]", "why_us: [nope]"
    )
    code, out, err = explain(tmp_path / "b", broken, "backup-modernization")
    assert (code, out) == (1, "")
    assert "error: unknown differentiator 'nope'" in err


def test_the_marketers_report_lists_what_each_card_leaves_out(tmp_path: Path) -> None:
    make_catalog(tmp_path)
    result = run_cli("build", "--as-of", AS_OF, "--only", "reports", cwd=tmp_path)
    assert result.code == 0, result.stderr
    page = html.unescape((tmp_path / "build/reports/coverage.html").read_text(encoding="utf-8"))
    section = page[page.index('id="left-out"') :]
    # the rep card of backup-modernization leaves out Acme's internal pricing, located
    assert "Backup modernization — the rep edition" in section
    assert "plays/competitors/acme.yaml:7:10: pricing: audience 'internal' set at" in section
    # each tier's kit card is listed apart: the registered tier's kit has no such play
    registered = section[section.index("Backup modernization — registered kits") :]
    assert "tier: for silver partners and above (this kit is registered)" in registered


def test_the_pitch_audit_plans_slides_without_loading_python_pptx(tmp_path: Path) -> None:
    """`check` audits the public pitch decks from their planned slides: python-pptx (0.3 s
    to import) is left to the commands that open a master or draw a deck."""
    import subprocess
    import sys

    from conftest import copy_sample

    root = copy_sample(tmp_path / "plays")
    code = (
        "import sys\n"
        f"sys.argv = ['salesplay', 'check', '--as-of', {AS_OF!r}]\n"
        "import salesplay.entry\n"
        "salesplay.entry.leave = lambda done: None\n"  # look at the process after the command
        "from salesplay.entry import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "sys.stdout.write(f\"{code} {'salesplay.render.decks' in sys.modules}"
        " {'pptx' in sys.modules}\")\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root.parent, capture_output=True, text=True, check=False
    )
    exit_code, planned, loaded = done.stdout.split()
    assert exit_code == "0", done.stderr
    assert planned == "True"  # the sample has public pitches: their slides were planned
    assert loaded == "False"
