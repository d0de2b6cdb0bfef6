"""The feed family: a JSON feed per edition, valid against its published schema, and Markdown cards.

Built with `--only feed` (no PDF is rendered) from tests/roots/minimal committed to a
temporary git repository, so the revision is known. The canary scan of every output,
the feed's included, is tests/test_canary_outputs.py (it reads the family's audiences).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest

from conftest import AS_OF, base_text, make_catalog, replace_in, run_cli
from salesplay.build import run_build
from salesplay.context import Context
from salesplay.edition import make_edition
from salesplay.families import owner
from salesplay.families.feed import FAMILY
from salesplay.models import may_see
from salesplay.pipeline import check_catalog
from salesplay.render.feeds import feed_schema


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(catalog, build folder, the commit the catalog is at)."""
    top = tmp_path_factory.mktemp("feed")
    root = make_catalog(top)
    env = {**os.environ, "HOME": str(top), "GIT_CONFIG_NOSYSTEM": "1"}

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "-C", str(top), *args],
            capture_output=True, text=True, env=env, check=True, timeout=60,
        ).stdout.strip()  # fmt: skip

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "catalog")
    ctx = Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF), out=top / "build")
    assert run_build(ctx, ["feed"]) == 0
    return root, top / "build", git("rev-parse", "HEAD")


def _feeds(build: Path) -> dict[str, dict[str, object]]:
    return {p.stem: json.loads(p.read_text()) for p in sorted((build / "feed").glob("*.json"))}


def test_the_published_schema_is_what_schema_feed_prints(tmp_path: Path) -> None:
    done = run_cli("schema", "feed", cwd=tmp_path)
    assert done.code == 0
    printed = json.loads(done.stdout)
    assert printed == feed_schema()
    jsonschema.Draft202012Validator.check_schema(printed)
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_feed_validates_against_the_schema(built: tuple[Path, Path, str]) -> None:
    _root, build, _commit = built
    feeds = _feeds(build)
    assert set(feeds) >= {"internal", "rep", "public", "partner-gold", "partner-silver"}
    validator = jsonschema.Draft202012Validator(feed_schema())
    for name, feed in feeds.items():
        errors = list(validator.iter_errors(feed))
        assert errors == [], (name, errors[:3])
    # the schema is closed: a field it does not publish is an error (so the check can fail)
    rep = feeds["rep"]
    plays = rep["plays"]
    assert isinstance(plays, list) and plays
    bad = {**rep, "plays": [{**plays[0], "internal_notes": "x"}, *plays[1:]]}
    assert not validator.is_valid(bad)
    assert not validator.is_valid({**rep, "revision": 7})


def test_the_feed_names_its_edition_date_revision_and_stable_ids(
    built: tuple[Path, Path, str],
) -> None:
    root, build, commit = built
    rep = _feeds(build)["rep"]
    assert (rep["edition"], rep["audience"], rep["tier"]) == ("rep", "rep", None)
    assert rep["as_of"] == AS_OF and rep["revision"] == commit
    ids = [p["id"] for p in rep["plays"]]  # type: ignore[attr-defined]
    assert ids == sorted(f"play:{p.stem}" for p in (root / "plays").glob("*.yaml"))
    claims = {c["id"] for c in rep["claims"]}  # type: ignore[attr-defined]
    for play in rep["plays"]:  # type: ignore[attr-defined]
        assert play["id"] == f"play:{play['slug']}"
        assert set(play["why_us"]) <= claims  # references resolve inside the same feed


def test_every_text_comes_as_markdown_and_plain_text(built: tuple[Path, Path, str]) -> None:
    _root, build, _commit = built
    rep = _feeds(build)["rep"]
    play = next(p for p in rep["plays"] if p["objections"])  # type: ignore[attr-defined]
    responses = [o["response"] for o in play["objections"]]
    marked = [r for r in responses if "**" in r["markdown"]]
    assert marked, "minimal has an objection response with **bold**"
    assert all("**" not in r["text"] and r["text"] for r in marked)
    assert play["summary"]["text"] == play["summary"]["markdown"]


def test_links_point_at_outputs_made_for_the_feeds_audience_or_wider(
    built: tuple[Path, Path, str],
) -> None:
    _root, build, _commit = built
    feeds = _feeds(build)
    rep_links = {x["rel"] for p in feeds["rep"]["plays"] for x in p["links"]}  # type: ignore[attr-defined]
    assert {"battlecard-pdf", "card-page", "enablement-deck"} <= rep_links
    internal_links = {x["rel"] for p in feeds["internal"]["plays"] for x in p["links"]}  # type: ignore[attr-defined]
    assert "playbook" in internal_links
    for name, feed in feeds.items():
        audience = feed["audience"]
        for item in [*feed["plays"], *feed["destinations"]]:  # type: ignore[misc]
            for link in item["links"]:
                if link["within"] == "kit":
                    assert name.startswith("partner-")
                    continue
                fam = owner(link["href"])
                assert fam is not None and fam.name == link["family"], link
                made_for = fam.audience_of(link["href"])
                assert made_for is not None and may_see(audience, made_for), (name, link)  # type: ignore[arg-type]
    # a partner reads its kit: no rep card page or rep PDF from the build
    for name in ("partner-gold", "partner-silver"):
        hrefs = [x for p in feeds[name]["plays"] for x in p["links"]]  # type: ignore[attr-defined]
        assert hrefs and all(x["within"] == "kit" or x["rel"] == "pitch-deck" for x in hrefs)


def test_partner_feeds_hold_exactly_their_tiers_kit(built: tuple[Path, Path, str]) -> None:
    root, build, _commit = built
    ctx = Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF))
    cat = check_catalog(ctx)
    assert cat is not None
    partner = make_edition(cat, "partner")
    feeds = _feeds(build)
    assert not (build / "feed/partner.json").exists()  # no feed names every partner play
    for tier, kit in partner.kits.items():
        feed = feeds[f"partner-{tier}"]
        assert [p["slug"] for p in feed["plays"]] == list(kit.plays)  # type: ignore[attr-defined]
        named = {s["play"] for p in feed["paths"] for s in p["steps"]} - {None}  # type: ignore[attr-defined]
        assert named <= {f"play:{p}" for p in kit.plays}
    assert [p["slug"] for p in feeds["public"]["plays"]] == list(  # type: ignore[attr-defined]
        make_edition(cat, "public").plays
    )


def test_a_markdown_card_per_play_of_each_feed(built: tuple[Path, Path, str]) -> None:
    _root, build, commit = built
    for name, feed in _feeds(build).items():
        made = sorted(p.name for p in (build / "feed" / name).glob("*.md"))
        plays = feed["plays"]
        assert made == sorted(f"{p['slug']}.md" for p in plays)  # type: ignore[attr-defined]
        for play in plays:  # type: ignore[attr-defined]
            rel = play["markdown_export"]
            assert owner(rel) is FAMILY and FAMILY.audience_of(rel) == feed["audience"]
            text = (build / rel).read_text()
            assert text.startswith(f"---\nid: {play['id']}\nedition: {name}\nas_of: {AS_OF}\n")
            assert f"revision: {commit}\n" in text
            assert f"\n# {play['name']['text']}\n" in text
            for objection in play["objections"]:
                assert objection["objection"]["text"] in text


def test_feed_outputs_belong_to_the_feed_family_with_their_audience() -> None:
    for rel, audience in [
        ("feed/internal.json", "internal"),
        ("feed/internal/x.md", "internal"),
        ("feed/rep.json", "rep"),
        ("feed/rep/x.md", "rep"),
        ("feed/public.json", "public"),
        ("feed/public/x.md", "public"),
        ("feed/partner-gold.json", "partner"),
        ("feed/partner-gold/x.md", "partner"),
    ]:
        assert owner(rel) is FAMILY and FAMILY.audience_of(rel) == audience, rel
    assert owner("feed/other.json") is None


def test_a_link_no_output_keeps_is_left_out_of_the_feeds_too(tmp_path: Path) -> None:
    """`check` warns that a javascript: or relative link is left out of every output: the
    feeds' Markdown, in the JSON and in each card, keeps its label and drops its target."""
    play = "plays/backup-modernization.yaml"
    summary = "summary: Replace tape and legacy backup with immutable, off-site copies."
    edited = (
        "summary: 'Replace **[tape](javascript:alert(1))** with [copies](docs/c.pdf) & more,"
        " as [the guide](https://e.example/g) says.'"
    )
    root = make_catalog(tmp_path, replace_in(play, summary, edited))
    ctx = Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF), out=tmp_path / "build")
    assert run_build(ctx, ["feed"]) == 0
    rep = json.loads((tmp_path / "build/feed/rep.json").read_text())
    told = next(p for p in rep["plays"] if p["id"] == "play:backup-modernization")["summary"]
    assert told["markdown"] == (
        r"Replace **tape** with copies \& more, as [the guide](<https://e.example/g>) says."
    )
    assert told["text"] == "Replace tape with copies & more, as the guide says."
    card = (tmp_path / "build/feed/rep/backup-modernization.md").read_text()
    assert r"Replace **tape** with copies \& more" in card
    for path in (tmp_path / "build/feed").rglob("*"):
        if path.is_file():
            assert "javascript:" not in path.read_text() and "docs/c.pdf" not in path.read_text()


def test_a_proof_source_no_output_links_to_is_said_by_check_and_left_out_of_the_feeds(
    tmp_path: Path,
) -> None:
    """A proof's `source: javascript:…` passed `check` in silence, the pages dropped it and
    the feeds published it as written."""
    rel = "plays/differentiators/immutable-by-default.yaml"
    edit = replace_in(
        rel.removeprefix("plays/"),
        "source: https://lab.example/report",
        'source: "javascript:alert(document.domain)"',
    )
    make_catalog(tmp_path, edit)
    line = next(
        n
        for n, text in enumerate((tmp_path / rel).read_text().splitlines(), 1)
        if "javascript" in text
    )
    col = (tmp_path / rel).read_text().splitlines()[line - 1].index('"javascript') + 1
    checked = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert checked.code == 0, checked.stderr
    assert f"{rel}:{line}:{col}: warning: source 'javascript:alert(document.domain)' is left" in (
        checked.stderr
    )
    built = run_cli("build", "--catalog", "plays", "--only", "feed", "--as-of", AS_OF, cwd=tmp_path)
    assert built.code == 0, built.stderr
    feeds = [p for p in (tmp_path / "build/feed").rglob("*") if p.is_file()]
    internal = json.loads((tmp_path / "build/feed/internal.json").read_text())
    claim = next(c for c in internal["claims"] if c["id"] == "claim:immutable-by-default")
    assert [p["source"] for p in claim["proof"]] == [None]
    assert feeds and not any("javascript:" in p.read_text() for p in feeds)


def test_the_target_and_the_partner_program_are_in_the_feeds_of_who_may_see_them(
    tmp_path: Path,
) -> None:
    """A play's segments, economic buyer and partner program (margin, deal registration,
    MDF, certification, incentives) were in no feed, though the cards show them: they are
    in every feed whose edition holds them, JSON and Markdown, and never in the public one."""
    play = "plays/backup-modernization.yaml"
    text = base_text(play).replace("audience: partner\n", "audience: public\n", 1)
    old = "partner: {role: Partner runs the proof of concept, min_tier: silver}"
    assert old in text and "audience: public\n" in text
    program = (
        "partner: {role: Partner runs the proof of concept, min_tier: silver, margin: zqmargin,"
        " deal_registration: zqdealreg, mdf: zqmdf, certification: zqcert, incentives: [zqspiff]}"
    )
    root = make_catalog(tmp_path, {play: text.replace(old, program)})
    ctx = Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF), out=tmp_path / "build")
    assert run_build(ctx, ["feed"]) == 0
    feeds = _feeds(tmp_path / "build")
    for name in ("internal", "rep", "partner-silver", "partner-gold"):
        card = next(p for p in feeds[name]["plays"] if p["slug"] == "backup-modernization")  # type: ignore[attr-defined]
        assert (card["target_segments"], card["target_economic_buyer"]) == (["mid-market"], "CIO")
        program = card["partner"]
        assert program["margin"] == {"markdown": "zqmargin", "text": "zqmargin"}, name
        assert [program[k]["text"] for k in ("deal_registration", "mdf", "certification")] == [
            "zqdealreg",
            "zqmdf",
            "zqcert",
        ]
        assert [i["text"] for i in program["incentives"]] == ["zqspiff"]
        markdown = (tmp_path / "build" / card["markdown_export"]).read_text()
        assert "- margin: zqmargin\n" in markdown and "- incentive: zqspiff\n" in markdown
        assert "## Target\n\n- segments: mid-market\n" in markdown and "- signs: CIO\n" in markdown
    public = [p for p in (tmp_path / "build" / "feed").rglob("*") if "public" in str(p)]
    assert any(p.name == "backup-modernization.md" for p in public)  # the play is there
    assert not [p for p in public if p.is_file() and "zq" in p.read_text()]
    assert "partner-registered" not in feeds or all(
        p["slug"] != "backup-modernization"  # type: ignore[index]
        for p in feeds["partner-registered"]["plays"]  # type: ignore[attr-defined]
    )


def test_a_partner_feed_links_a_public_plays_brief_in_the_kit(tmp_path: Path) -> None:
    rd = "plays/recovery-drills.yaml"
    make_catalog(tmp_path, {rd: base_text(rd) + "audience: public\n"})
    done = run_cli("build", "--catalog", "plays", "--as-of", AS_OF, "--only", "feed", cwd=tmp_path)
    assert done.code == 0, done.stderr
    feed = json.loads((tmp_path / "build/feed/partner-silver.json").read_text("utf-8"))
    (play,) = [p for p in feed["plays"] if p["slug"] == "recovery-drills"]
    links = {x["rel"]: x["href"] for x in play["links"]}
    assert links["customer-brief"] == "for-your-customers/briefs/recovery-drills.pdf"
    assert links["battlecard-pdf"] == "for-your-team/battlecards/recovery-drills.pdf"
    assert all(x["within"] == "kit" and x["family"] == "kits" for x in play["links"])


def test_the_glossary_is_text_like_every_field_with_dropped_links_dropped(tmp_path: Path) -> None:
    """The feeds carried each meaning raw: a javascript: link and raw HTML in public.json."""
    meaning = "RPO: See [docs](javascript:alert(1)) and <script>x</script>, **in time**."
    root = make_catalog(
        tmp_path, replace_in("glossary.yaml", base_text("glossary.yaml").splitlines()[0], meaning)
    )
    ctx = Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF), out=tmp_path / "build")
    assert run_build(ctx, ["feed"]) == 0
    public = json.loads((tmp_path / "build/feed/public.json").read_text())
    assert public["feed_version"] == 2
    assert public["glossary"]["RPO"] == {
        "markdown": r"See docs and \<script\>x\</script\>, **in time**.",
        "text": "See docs and <script>x</script>, in time.",
    }
    for path in (tmp_path / "build/feed").rglob("*.json"):
        assert "javascript:" not in path.read_text()
