"""Catalog rules beyond the schema: claims, paths, staleness, jargon and coverage."""

from __future__ import annotations

from salesplay.diagnostics import Reporter
from salesplay.jargon import long_field, prose, undefined_jargon
from salesplay.resolve import Catalog


def run_checks(cat: Catalog, reporter: Reporter) -> None:
    """Every rule of the contract's section 5 that needs the resolved catalog."""
    _claims(cat, reporter)
    _paths(cat, reporter)
    _staleness(cat, reporter)
    _jargon(cat, reporter)
    _long_fields(cat, reporter)
    _coverage(cat, reporter)


def _claims(cat: Catalog, reporter: Reporter) -> None:
    for did, diff in cat.differentiators.items():
        type_loc = cat.loc("differentiator", did, ("type",))
        if diff.type == "comparative" and not diff.versus:
            reporter.error(
                type_loc,
                f"comparative claim '{did}' needs 'versus' naming at least one competitor"
                " (or make it unique)",
                "comparative-without-versus",
                ("differentiator", did),
            )
        if diff.type != "unique":
            continue
        backed = set(diff.backed_by)
        for cid, comp in cat.competitors.items():
            shared = sorted(backed.intersection(comp.has))
            if shared:
                reporter.error(
                    type_loc,
                    f"unique claim '{did}' is contradicted by competitor '{cid}', which also has"
                    f" '{shared[0]}' (make it comparative)",
                    "unique-contradicted",
                    ("differentiator", did),
                )


def _paths(cat: Catalog, reporter: Reporter) -> None:
    for path_id, path in cat.paths.items():
        first: dict[str, int] = {}
        for i, step in enumerate(path.steps):
            if step.play in first:
                reporter.error(
                    cat.loc("path", path_id, ("steps", i, "play")),
                    f"play '{step.play}' appears twice in path '{path_id}'"
                    f" (first at step {first[step.play] + 1})",
                    "duplicate-step",
                    ("path", path_id),
                )
            else:
                first[step.play] = i


def _staleness(cat: Catalog, reporter: Reporter) -> None:
    limit = cat.config.review.max_age_days
    for (kind, eid), age in sorted(cat.age_days.items()):
        if age <= limit:
            continue
        what = "claim" if kind == "differentiator" else "competitor intelligence"
        reporter.warning(
            cat.loc(kind, eid, ("reviewed",)),
            f"stale {what} '{eid}': last verified {age} days ago (limit {limit});"
            " left out of partner and public editions",
            "stale",
            (kind, eid),
        )


def _jargon(cat: Catalog, reporter: Reporter) -> None:
    known = set(cat.glossary) | set(cat.config.jargon.allow)
    docs = sorted(cat.docs.items())
    for (kind, eid), doc in docs:
        if kind == "glossary":
            continue
        for path, text in prose(doc.data):
            if kind != "catalog" and cat.audience(kind, eid, path) == "internal":
                continue
            for loc, message, code, word in undefined_jargon(doc, path, text, known):
                # grouped by the word in the marketers' report; the rest by their entity
                reporter.warning(loc, message, code, ("term", word) if word else (kind, eid))


def _long_fields(cat: Catalog, reporter: Reporter) -> None:
    for subject, doc in sorted(cat.docs.items()):
        for path, text in prose(doc.data):
            found = long_field(doc, path, text)
            if found is not None:
                reporter.warning(*found, "long-field", subject)


def _coverage(cat: Catalog, reporter: Reporter) -> None:
    for pid, steps in cat.play_steps.items():
        if not steps:
            reporter.warning(
                cat.loc("play", pid),
                f"play '{pid}' is on no path",
                "play-without-path",
                ("play", pid),
            )
    for did, plays in cat.differentiator_plays.items():
        if not plays:
            reporter.warning(
                cat.loc("differentiator", did),
                f"differentiator '{did}' is used by no play (add it to a play's why_us)",
                "unused-differentiator",
                ("differentiator", did),
            )
    for did, paths in cat.destination_paths.items():
        if not paths:
            reporter.warning(
                cat.loc("destination", did),
                f"destination '{did}' has no path leading to it",
                "destination-without-path",
                ("destination", did),
            )
    for cid, plays in cat.competitor_plays.items():
        if not plays:
            reporter.warning(
                cat.loc("competitor", cid),
                f"competitor '{cid}' is in no play (add a talk track to a play's competitors)",
                "competitor-without-play",
                ("competitor", cid),
            )
