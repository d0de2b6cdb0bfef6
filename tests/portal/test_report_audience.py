"""The portal's marketer report (rep edition) names nothing the rep edition hides."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from pathlib import Path

import pytest

from conftest import AS_OF, make_catalog, run_cli
from salesplay.build import run_build
from salesplay.context import Context

SECRET_PLAY = """\
name: Secret displacement
summary: Internal only.
audience: internal
why_do_anything: Because.
why_now: Now.
why_us: [immutable-by-default]
discovery: [Why?]
next_steps: [Call.]
"""


def test_findings_about_internal_entities_stay_out_of_the_rep_portal(tmp_path: Path) -> None:
    make_catalog(tmp_path, {"plays/zz-secret-displacement.yaml": SECRET_PLAY})
    result = run_cli("build", "--as-of", AS_OF, "--only", "site", "--only", "reports", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "play 'zz-secret-displacement' is on no path" in result.stderr
    # the marketers' own report (outside the site) lists it; the rep portal does not
    assert "zz-secret-displacement" in (tmp_path / "build/reports/coverage.html").read_text()
    assert "zz-secret-displacement" not in (tmp_path / "build/site/report.html").read_text()


def test_a_partners_new_contact_leaves_the_marketers_page_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The coverage page reads of the partners' files only who they are and their tiers
    (What changed names partners who joined, left or moved): a new contact neither plans
    nor makes it again; a new tier does. Either way it is what a clean build makes."""
    from salesplay.families import reports

    root = make_catalog(tmp_path)
    partner = root / "partners/blue-river.yaml"
    build = ["build", "--as-of", AS_OF, "--only", "reports", "--jobs", "1"]
    assert run_cli(*build, cwd=tmp_path).code == 0
    made: list[str] = []
    real = reports.left_out_section

    def noted(src: object, base: Path) -> object:
        made.append("coverage")
        return real(src, base)  # type: ignore[arg-type]

    monkeypatch.setattr(reports, "left_out_section", noted)
    planned: list[str] = []
    sections = reports.report_sections

    def counted(*args: object) -> object:
        planned.append("coverage")
        return sections(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(reports, "report_sections", counted)
    monkeypatch.chdir(tmp_path)  # the page names files as the CLI run there does
    for old, new, remade in (
        ("dana@blueriver.example", "sales@blueriver.example", False),
        ("tier: gold", "tier: silver", True),
    ):
        made.clear()
        planned.clear()
        partner.write_text(partner.read_text("utf-8").replace(old, new), "utf-8")
        ctx = Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF), out=tmp_path / "build",
                      templates=tmp_path / "templates", jobs=1)  # fmt: skip
        with contextlib.redirect_stderr(io.StringIO()):
            assert run_build(ctx, ["reports"]) == 0
        assert made == (["coverage"] if remade else []), (old, new)
        assert planned == made, (old, new)
        clean = run_cli(*build, "--out", "clean", "--clean", cwd=tmp_path)
        assert clean.code == 0, clean.stderr
        page = (tmp_path / "build/reports/coverage.html").read_bytes()
        assert page == (tmp_path / "clean/reports/coverage.html").read_bytes(), (old, new)


SHADOW = """\
name: Shadow Corp
type: vendor
summary: A rival only the internal edition names.
reviewed: 2026-10-01
audience: internal
"""


def test_a_word_only_in_text_the_rep_edition_leaves_out_is_not_in_the_rep_report(
    tmp_path: Path,
) -> None:
    """A versus line with no audience of its own, about an internal competitor, is left out
    of the rep edition with its competitor; its undefined acronym was still named in the rep
    portal's report. A word in text reps see still is."""
    claim = "differentiators/immutable-by-default.yaml"
    edits = {
        "competitors/zz-shadow.yaml": SHADOW,
        claim: (make_catalog(tmp_path / "base") / claim)
        .read_text()
        .replace(
            "versus:\n",
            "versus:\n  - {competitor: zz-shadow, detail: ZZQXW pricing undercuts us.}\n",
        )
        .replace("Acme charges for", "Acme VVQXR charges for"),
    }
    make_catalog(tmp_path, edits)
    result = run_cli("build", "--as-of", AS_OF, "--only", "site", "--only", "reports", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "undefined jargon 'ZZQXW'" in result.stderr
    assert "ZZQXW" in (tmp_path / "build/reports/check.json").read_text()
    report = (tmp_path / "build/site/report.html").read_text()
    assert "ZZQXW" not in report
    assert "VVQXR" in report
