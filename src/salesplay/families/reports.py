"""Marketers' reports: every diagnostic as JSON, and coverage.html (stale claims, jargon, gaps)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from salesplay.diagnostics import Diagnostic, format_json
from salesplay.engine.units import Unit
from salesplay.families.base import Family, Sources, page_unit
from salesplay.render import portal
from salesplay.render.templates import css_safe

NAME = "reports"
#: every diagnostic of the build, the catalog's and the renderers', as `check --format json`.
CHECK_JSON = "reports/check.json"


def plan(src: Sources) -> list[Unit]:
    rep = src.editions["rep"]
    # The report stands alone (styles inline) so that it reads well without the site.
    links = portal.page_links(rep, "../site/")
    base = Path(src.cat.root).resolve().parent
    diags = portal.report_diagnostics(src.diagnostics)
    sections = portal.report_sections(rep, diags, base, lambda p: links.site.play(p) or "")
    css = src.theme_file(portal.PORTAL_CSS).read_text(encoding="utf-8")
    page = portal.report_page(src.env, rep, sections, links, inline_css=css_safe(css))
    return [page_unit(NAME, "reports/coverage.html", page)]


def finish(diagnostics: Sequence[Diagnostic]) -> list[Unit]:
    """check.json, once render warnings are known (a card past its budget, a refused file)."""
    return [page_unit(NAME, CHECK_JSON, format_json(diagnostics))]


FAMILY = Family(
    NAME,
    "every diagnostic of the build; stale claims, jargon, coverage gaps",
    (("reports/*", None),),
    plan,
    served=True,
    quick=True,
    finish=finish,
)
