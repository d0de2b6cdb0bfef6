"""Canary strings planted in tests/roots/canary and the audiences that must never see them."""

from __future__ import annotations

import re
from pathlib import Path

CANARY_ROOT = Path(__file__).resolve().parent / "roots" / "canary"
CANARY_RE = re.compile(r"kqz(int|rep|dev|lr|stale|prt|gold|nokit)\d\d")
#: canary family → audiences that may see it.
ALLOWED: dict[str, set[str]] = {
    "int": {"internal"},
    "rep": {"internal", "rep"},
    "dev": {"internal", "rep"},
    "stale": {"internal", "rep"},
    "lr": {"internal", "rep", "partner"},
    "prt": {"internal", "rep", "partner"},  # partner block, program: the partner's team only
    "gold": {"internal", "rep", "partner"},  # a gold-only play: gold kits only
    "nokit": {"internal", "rep", "partner"},  # a play whose partner block is hidden: no kit
}
#: canary family → the tiers whose kits may show it (a family not listed: every tier's kit,
#: as ALLOWED says for the member's audience).
KIT_TIERS: dict[str, set[str]] = {"gold": {"gold"}, "nokit": set()}


def planted() -> set[str]:
    """Every canary planted in the canary catalog."""
    found: set[str] = set()
    for path in CANARY_ROOT.rglob("*.yaml"):
        found |= {m.group(0) for m in CANARY_RE.finditer(path.read_text())}
    return found


def forbidden_for(audience: str) -> set[str]:
    return {c for c in planted() if audience not in ALLOWED[CANARY_RE.match(c).group(1)]}  # type: ignore[union-attr]


def leaks(text: str, audience: str) -> set[str]:
    """Canaries in `text` that an output for `audience` must not contain."""
    return {m.group(0) for m in CANARY_RE.finditer(text)} & forbidden_for(audience)
