"""Stage 3, resolve: references (did-you-mean, wrong kind, tiers) and the derived facts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import Edits, base_text, check, replace_in, resolved
from salesplay.resolve import Catalog, Roadmap

BM = "plays/backup-modernization.yaml"
RD = "plays/recovery-drills.yaml"
PATH = "paths/resilience-journey.yaml"


def catalog(tmp_path: Path, edits: Edits | None = None) -> Catalog:
    cat, ctx = resolved(tmp_path, edits)
    assert cat is not None
    assert ctx.reporter.errors == []
    return cat


# --- references ----------------------------------------------------------------------------------


def test_dangling_reference_with_did_you_mean(tmp_path: Path) -> None:
    result = check(
        tmp_path, replace_in(BM, "why_us: [immutable-by-default]", "why_us: [imutable-by-default]")
    )
    assert result.code == 1
    assert (
        "plays/plays/backup-modernization.yaml:9:10: error: unknown differentiator"
        " 'imutable-by-default' (did you mean 'immutable-by-default'?)" in result.lines
    )


def test_dangling_reference_without_a_close_match(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(PATH, "destination: cyber-resilience", "destination: zzz"))
    assert (
        "plays/paths/resilience-journey.yaml:1:14: error: unknown destination 'zzz'" in result.lines
    )


@pytest.mark.parametrize(
    ("rel", "old", "new", "line"),
    [
        (BM, "why_us: [immutable-by-default]", "why_us: [acme]",
         "plays/plays/backup-modernization.yaml:9:10: error: 'acme' is a competitor,"
         " not a differentiator"),
        (PATH, "  - play: recovery-drills", "  - play: cyber-resilience",
         "plays/paths/resilience-journey.yaml:8:11: error: 'cyber-resilience' is a destination,"
         " not a play"),
        (RD, "competitor: status-quo", "competitor: anomaly-alerts",
         "plays/plays/recovery-drills.yaml:10:18: error: 'anomaly-alerts' is a differentiator,"
         " not a competitor"),
        (RD, "products: [vault]", "products: [red-rock]",
         "plays/plays/recovery-drills.yaml:3:12: error: 'red-rock' is a partner, not a product"),
    ],
)  # fmt: skip
def test_wrong_kind_reference(tmp_path: Path, rel: str, old: str, new: str, line: str) -> None:
    result = check(tmp_path, replace_in(rel, old, new))
    assert result.code == 1
    assert line in result.lines


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("immutable-snapshots", "capability reference 'immutable-snapshots' must be"
         " 'product-id/capability-id' (did you mean 'vault/immutable-snapshots'?)"),
        ("valt/immutable-snapshots", "unknown product 'valt' in capability"
         " 'valt/immutable-snapshots' (did you mean 'vault'?)"),
        ("vault/imutable-snapshots", "unknown capability 'imutable-snapshots' of product 'vault'"
         " (did you mean 'immutable-snapshots'?)"),
    ],
)  # fmt: skip
def test_capability_references(tmp_path: Path, value: str, message: str) -> None:
    rel = "competitors/acme.yaml"
    result = check(tmp_path, replace_in(rel, "has: [vault/immutable-snapshots]", f"has: [{value}]"))
    assert f"plays/{rel}:4:7: error: {message}" in result.lines


def test_unknown_partner_tier(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in("partners/red-rock.yaml", "tier: silver", "tier: slivver"))
    assert result.diagnostics == [
        "plays/partners/red-rock.yaml:2:7: error: unknown tier 'slivver' (did you mean"
        " 'silver'?); tiers are registered, silver, gold"
    ]


def test_unknown_play_min_tier(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(BM, "min_tier: silver", "min_tier: platinum"))
    assert result.diagnostics == [
        "plays/plays/backup-modernization.yaml:21:62: error: unknown tier 'platinum';"
        " tiers are registered, silver, gold"
    ]


def test_duplicate_capability_id(tmp_path: Path) -> None:
    product = "products/vault.yaml"
    # right after the last capability, whatever fields follow the list
    last = "eta: 2027-Q2}\n"
    again = "  - {id: immutable-snapshots, name: Again, status: beta}\n"
    result = check(tmp_path, replace_in(product, last, last + again))
    assert result.code == 1
    assert result.diagnostics == [
        "plays/products/vault.yaml:6:10: error: duplicate capability id 'immutable-snapshots'"
        " in product 'vault'"
    ]


def test_tier_listed_twice_is_one_error_at_its_second_place(tmp_path: Path) -> None:
    tiers = "tiers: [registered, silver, gold, silver]"
    edits = {
        **replace_in("catalog.yaml", "tiers: [registered, silver, gold]", tiers),
        **replace_in("partners/red-rock.yaml", "tier: silver", "tier: bronze"),
    }
    result = check(tmp_path, edits)
    assert result.code == 1
    assert result.diagnostics == [
        "plays/catalog.yaml:9:35: error: tier 'silver' is listed twice",
        # the ladder it names holds each tier once
        "plays/partners/red-rock.yaml:2:7: error: unknown tier 'bronze'; tiers are registered,"
        " silver, gold",
    ]


def test_errors_in_several_files_are_all_reported(tmp_path: Path) -> None:
    edits = {
        **replace_in(BM, "why_us: [immutable-by-default]", "why_us: [imutable-by-default]"),
        **replace_in("partners/red-rock.yaml", "tier: silver", "tier: bronze"),
        **replace_in(PATH, "destination: cyber-resilience", "destination: cyber-resilence"),
    }
    result = check(tmp_path, edits)
    assert result.code == 1
    errors = [line for line in result.diagnostics if ": error: " in line]
    assert errors == [
        "plays/partners/red-rock.yaml:2:7: error: unknown tier 'bronze'; tiers are registered,"
        " silver, gold",
        "plays/paths/resilience-journey.yaml:1:14: error: unknown destination 'cyber-resilence'"
        " (did you mean 'cyber-resilience'?)",
        "plays/plays/backup-modernization.yaml:9:10: error: unknown differentiator"
        " 'imutable-by-default' (did you mean 'immutable-by-default'?)",
    ]


def test_reference_to_an_invalid_entity_is_not_called_unknown(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in("products/vault.yaml", "status: ga}", "status: GA}"))
    assert result.code == 1
    assert not [line for line in result.lines if "unknown product 'vault'" in line]


@pytest.mark.parametrize(
    ("new", "why"),
    [
        pytest.param(
            "plays/recovery-drills.yaml.bak",
            "only .yaml and .yml files are; rename it to 'recovery-drills.yaml'",
            id="bak",
        ),
        pytest.param(
            "plays/recovery-drills.txt",
            "only .yaml and .yml files are; rename it to 'recovery-drills.yaml'",
            id="txt",
        ),
        pytest.param(
            "plays/old/recovery-drills.yaml.bak",
            "only .yaml and .yml files directly in plays/ are; move it to"
            " 'plays/recovery-drills.yaml'",
            id="nested",
        ),
    ],
)
def test_an_unknown_reference_names_the_file_not_read_under_its_id(
    tmp_path: Path, new: str, why: str
) -> None:
    """A play file saved as `.bak` was skipped in silence: the path's step was "unknown play
    'recovery-drills'" with no hint, and the claim and competitor it used "used by no play"."""
    result = check(tmp_path, {new: base_text(RD), RD: None})
    assert result.diagnostics == [
        f"plays/{PATH}:8:11: error: unknown play 'recovery-drills' ({new} is not read: {why})"
    ]


def test_a_file_not_read_is_named_once_at_its_first_reference(tmp_path: Path) -> None:
    # six references to product 'vault': one mistake, the file's name, is one line
    result = check(
        tmp_path,
        {"products/vault.txt": base_text("products/vault.yaml"), "products/vault.yaml": None},
    )
    assert result.diagnostics == [
        "plays/competitors/acme.yaml:4:7: error: unknown product 'vault' in capability"
        " 'vault/immutable-snapshots' (products/vault.txt is not read: only .yaml and .yml"
        " files are; rename it to 'vault.yaml')"
    ]


def test_catalog_yaml_unusable_stops_before_cross_references(tmp_path: Path) -> None:
    cat, ctx = resolved(
        tmp_path, replace_in("catalog.yaml", "tiers: [registered, silver, gold]\n", "")
    )
    assert cat is None
    assert [d.message for d in ctx.reporter.sorted()] == ["missing required field 'tiers'"]


# --- effective audience ---------------------------------------------------------------------------


def test_audience_defaults_to_rep(tmp_path: Path) -> None:
    cat = catalog(tmp_path)
    assert cat.audience("play", "recovery-drills") == "rep"
    assert cat.audience("play", "recovery-drills", ("competitors", 0)) == "rep"
    assert cat.audience("partner", "red-rock") == "rep"
    assert cat.audience("play", "no-such-play") == "rep"


def test_audience_is_the_narrowest_of_item_and_ancestors(tmp_path: Path) -> None:
    cat = catalog(tmp_path)
    # play: partner; its proof item says public → stays partner (narrowest wins)
    assert cat.audience("play", "backup-modernization") == "partner"
    assert cat.audience("play", "backup-modernization", ("proof", 0)) == "partner"
    # a scalar or list inside inherits from the nearest mapping above it
    assert cat.audience("play", "backup-modernization", ("discovery", 0)) == "partner"
    assert cat.audience("play", "backup-modernization", ("proof", 0, "result")) == "partner"
    # competitor (partner) with internal pricing → internal
    assert cat.audience("competitor", "acme") == "partner"
    assert cat.audience("competitor", "acme", ("pricing",)) == "internal"
    assert cat.audience("competitor", "acme", ("pricing", "text")) == "internal"
    # differentiator partner; proof public → partner
    assert cat.audience("differentiator", "immutable-by-default", ("proof", 0)) == "partner"


def test_public_item_under_public_parent_and_narrower_child(tmp_path: Path) -> None:
    edits = {
        **replace_in(BM, "audience: partner", "audience: public"),
    }
    edits[BM] = edits[BM].replace(
        '"We already have backups.",', '"We already have backups.", audience: internal,'
    )
    cat = catalog(tmp_path, edits)
    assert cat.audience("play", "backup-modernization") == "public"
    assert cat.audience("play", "backup-modernization", ("proof", 0)) == "public"
    assert cat.audience("play", "backup-modernization", ("objections", 0)) == "internal"
    assert cat.audience("play", "backup-modernization", ("objections", 0, "response")) == "internal"
    assert cat.audience("play", "backup-modernization", ("target",)) == "public"


# --- derived indexes ------------------------------------------------------------------------------


def test_derived_indexes_of_minimal(tmp_path: Path) -> None:
    cat = catalog(tmp_path)
    assert cat.play_steps == {
        "backup-modernization": [("resilience-journey", 0)],
        "recovery-drills": [("resilience-journey", 1)],
    }
    assert cat.play_destinations == {
        "backup-modernization": ["cyber-resilience"],
        "recovery-drills": ["cyber-resilience"],
    }
    assert cat.destination_paths == {"cyber-resilience": ["resilience-journey"]}
    assert cat.differentiator_plays == {
        "anomaly-alerts": ["recovery-drills"],
        "immutable-by-default": ["backup-modernization"],
    }
    assert cat.competitor_plays == {
        "acme": ["backup-modernization"],
        "status-quo": ["recovery-drills"],
    }
    assert sorted(cat.capabilities) == ["vault/anomaly-detection", "vault/immutable-snapshots"]
    assert cat.assets == {
        "assets/northwind.svg": (cat.root / "assets/northwind.svg").resolve(),
        "assets/partners/blue-river.svg": (cat.root / "assets/partners/blue-river.svg").resolve(),
    }


def test_tier_ranks(tmp_path: Path) -> None:
    cat = catalog(tmp_path)
    assert [cat.tier_rank(t) for t in ("registered", "silver", "gold")] == [0, 1, 2]
    assert cat.tier_rank(None) == 0


def test_play_on_two_paths_and_twice_in_one_step_list(tmp_path: Path) -> None:
    second = "destination: cyber-resilience\nname: Short\nsteps:\n  - play: recovery-drills\n"
    cat = catalog(tmp_path, {"paths/short.yaml": second})
    assert cat.play_steps["recovery-drills"] == [("resilience-journey", 1), ("short", 0)]
    assert cat.destination_paths == {"cyber-resilience": ["resilience-journey", "short"]}
    assert cat.play_destinations["recovery-drills"] == ["cyber-resilience"]


def test_differentiator_roadmap_and_confidence(tmp_path: Path) -> None:
    cat = catalog(tmp_path)
    assert cat.differentiator_roadmap == {
        "anomaly-alerts": Roadmap("development", False, 60, "2027-Q2"),
        "immutable-by-default": Roadmap("ga", True, None, None),
    }
    assert cat.differentiator_roadmap["anomaly-alerts"].ceiling == "rep"
    assert cat.differentiator_roadmap["immutable-by-default"].ceiling == "public"
    assert cat.capability_roadmap["vault/anomaly-detection"].confidence == 60


def test_roadmap_takes_the_most_mature_backing_capability(tmp_path: Path) -> None:
    rel = "differentiators/immutable-by-default.yaml"
    edits = {
        **replace_in(
            rel,
            "[vault/immutable-snapshots]",
            "[vault/anomaly-detection, vault/immutable-snapshots]",
        ),
        **replace_in("products/vault.yaml", "status: development", "status: launch-ready"),
    }
    cat = catalog(tmp_path, edits)
    assert cat.differentiator_roadmap["immutable-by-default"] == Roadmap("ga", True, None, None)
    assert cat.differentiator_roadmap["anomaly-alerts"] == Roadmap(
        "launch-ready", False, 95, "2027-Q2"
    )
    assert cat.differentiator_roadmap["anomaly-alerts"].ceiling == "partner"


def test_custom_confidence(tmp_path: Path) -> None:
    cat = catalog(tmp_path, replace_in("catalog.yaml", "development: 60", "development: 70"))
    assert cat.differentiator_roadmap["anomaly-alerts"].confidence == 70


def test_age_days_and_staleness(tmp_path: Path) -> None:
    cat = catalog(tmp_path)
    assert cat.as_of == dt.date(2026, 11, 23)
    assert cat.age_days == {
        ("competitor", "acme"): 53,
        ("competitor", "status-quo"): 53,
        ("differentiator", "anomaly-alerts"): 22,
        ("differentiator", "immutable-by-default"): 69,
    }
    assert not cat.is_stale("differentiator", "immutable-by-default")
    assert not cat.is_stale("play", "recovery-drills")
    strict = catalog(
        tmp_path / "b", replace_in("catalog.yaml", "max_age_days: 90", "max_age_days: 60")
    )
    assert strict.is_stale("differentiator", "immutable-by-default")
    assert not strict.is_stale("competitor", "acme")


def test_loc_points_into_the_source(tmp_path: Path) -> None:
    cat = catalog(tmp_path)
    loc = cat.loc("play", "backup-modernization", ("why_us", 0))
    assert (loc.file.name, loc.line, loc.col) == ("backup-modernization.yaml", 9, 10)
