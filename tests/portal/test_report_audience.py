"""The portal's marketer report (rep edition) names nothing the rep edition hides."""

from __future__ import annotations

from pathlib import Path

from conftest import AS_OF, make_catalog, run_cli

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
