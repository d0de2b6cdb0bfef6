"""`salesplay changes`: what changed between two git revisions, told to each audience.

A small catalog (tests/roots/minimal) is committed to a temporary git repository over
several commits and tags; internal edits and removals carry canaries (kqzint…) that no rep,
partner or public change note may hold.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
from pathlib import Path

import feedparser
import pytest

from conftest import base_text, make_catalog, run_cli
from conftest import git as _git
from salesplay import changes, diff, gitrev
from salesplay.build import run_build
from salesplay.context import Context, UsageError
from salesplay.views import Edition

CANARY = re.compile(r"kqzint\d\d")
V1_DATE = "2026-10-15T12:00:00+00:00"
V2_DATE = "2026-11-23T12:00:00+00:00"
AS_OF = "2026-11-23"

#: a claim fresh at v1 (75 days old) and stale at v2 (114 days, limit 90).
FAST_RESTORES = """\
claim: Restores run ten times faster than tape.
type: comparative
backed_by: [vault/immutable-snapshots]
versus: [{competitor: status-quo}]
reviewed: 2026-08-01
audience: partner
"""

IRONCLAD = """\
name: Ironclad Data
type: vendor
summary: Appliance vendor with a long sales cycle.
reviewed: 2026-11-01
"""

SECRET_PLAY = """\
name: Secret kqzint02 play
summary: Only for us kqzint02.
audience: internal
products: [vault]
why_do_anything: kqzint02 reason.
why_now: kqzint02 timing.
why_us: [anomaly-alerts]
discovery: [kqzint02 question?]
next_steps: [kqzint02 step]
"""


#: the files the revisions edit, written out here (tests/roots/minimal is shared and moves).
V1_FILES = {
    "plays/backup-modernization.yaml": """\
name: Backup modernization
summary: Replace tape and legacy backup with immutable, off-site copies.
audience: partner
products: [vault]
target: {segments: [mid-market], personas: [Head of infrastructure], economic_buyer: CIO}
triggers: [Backup renewal within 6 months]
why_do_anything: Your backups are the first thing ransomware deletes.
why_now: Insurers now ask for immutable backups at renewal.
why_us: [immutable-by-default, fast-restores]
discovery:
  - When did you last restore a full system, and how long did it take?
objections:
  - {objection: 'Margin kqzint01?', response: 'Floor kqzint01.', audience: internal}
  - {objection: "We already have backups.", response: "Ask how long the last **restore** took."}
competitors:
  - competitor: acme
    landmines: [Ask Acme what immutability costs.]
    talk_track: Acme is solid on-prem; ask what happens when the backup server is encrypted.
proof:
  - {customer: Contoso Health, result: "Restore time from 3 days to 40 minutes.", audience: public}
next_steps: [Book a restore-readiness workshop]
partner: {role: Partner runs the proof of concept, min_tier: silver}
""",
    "plays/recovery-drills.yaml": """\
name: Recovery drills
summary: Prove recovery every quarter with evidence the auditors accept.
products: [vault]
why_do_anything: An untested backup is a hope, not a plan.
why_now: Auditors now ask for recovery evidence.
why_us: [anomaly-alerts]
discovery:
  - Who signs off that a restore worked?
competitors:
  - {competitor: status-quo, talk_track: "Price one day of downtime against the project."}
next_steps: [Schedule a first drill]
partner: {role: Partner runs the drill, min_tier: registered}
""",
    # partners may see the product, so its claims and launch-ready roadmap reach them
    "products/vault.yaml": """\
name: Vault Backup
summary: Immutable backup for hybrid-cloud workloads.
audience: partner
capabilities:
  - {id: immutable-snapshots, name: Immutable snapshots, status: ga}
  - {id: anomaly-detection, name: Ransomware anomaly detection, status: development, eta: 2027-Q2}
  - {id: instant-recovery, name: Instant recovery, status: launch-ready}
""",
    "competitors/acme.yaml": """\
name: Acme Backup
type: vendor
summary: Incumbent on-prem backup suite.
has: [vault/immutable-snapshots]
strengths: [Large installed base]
weaknesses: [Immutability is a paid add-on]
pricing: {text: "List ~$40/TB; discounts to 45% at renewal.", audience: internal}
reviewed: 2026-10-01
""",
    "differentiators/immutable-by-default.yaml": """\
claim: Every backup is immutable by default, at no extra cost.
type: comparative
backed_by: [vault/immutable-snapshots]
versus:
  - {competitor: acme, detail: Acme charges for immutability as an add-on tier.}
proof:
  - {text: "Independent lab test, 2026: 0 of 500 snapshots altered.", audience: public}
reviewed: 2026-09-15
audience: partner
""",
    "differentiators/fast-restores.yaml": FAST_RESTORES,
    "partners/red-rock.yaml": "name: Red Rock Solutions\ntier: registered\n",
}


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (rel, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _commit(repo: Path, message: str, date: str, tag: str | None = None) -> None:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message, date=date)
    if tag:
        _git(repo, "tag", tag)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """project/ (a git repository) with plays/ at v1, v2 (two commits later) and a broken HEAD."""
    top = tmp_path_factory.mktemp("changes") / "project"
    top.mkdir()
    root = make_catalog(top)
    _git(top, "init", "-q", "-b", "main")
    # --- v1 ------------------------------------------------------------------------------
    play = "plays/backup-modernization.yaml"
    for rel, text in V1_FILES.items():
        (root / rel).write_text(text, encoding="utf-8")
    _commit(top, "v1", V1_DATE, "v1")
    # --- between: roadmap moves, an internal removal and additions ------------------------
    _edit(root, "products/vault.yaml", "eta: 2027-Q2", "eta: 2027-Q3")
    engine = "  - {id: engine, name: Engine kqzint03, status: concept, audience: internal}"
    _edit(root, "products/vault.yaml", "status: launch-ready}", f"status: ga}}\n{engine}")
    _edit(
        root, play, "  - {objection: 'Margin kqzint01?', response: 'Floor kqzint01.',"
        " audience: internal}\n", "",
    )  # fmt: skip
    (root / "plays/secret-play.yaml").write_text(SECRET_PLAY)
    _commit(top, "roadmap", "2026-11-01T12:00:00+00:00")
    # --- v2 ------------------------------------------------------------------------------
    _edit(
        root, play, "objections:\n",
        "objections:\n  - {objection: Tape is cheaper., response: Until you need a restore.}\n",
    )  # fmt: skip
    fabrikam = "{customer: Fabrikam, result: Back online in 2 hours., audience: public}"
    _edit(root, play, "audience: public}", f"audience: public}}\n  - {fabrikam}")
    _edit(
        root, "differentiators/immutable-by-default.yaml", "proof:\n",
        "proof:\n  - {text: Analyst note 2026 confirms it.}\n",
    )  # fmt: skip
    _edit(root, "competitors/acme.yaml", "reviewed: 2026-10-01", "reviewed: 2026-11-20")
    _edit(root, "competitors/acme.yaml", "List ~$40/TB", "List ~$45/TB kqzint04")
    (root / "competitors/ironclad.yaml").write_text(IRONCLAD)
    drills = "plays/recovery-drills.yaml"
    _edit(
        root, drills, "Price one day of downtime against the project.", "Ask what a lost day costs."
    )
    _edit(
        root,
        drills,
        "competitors:\n",
        "competitors:\n  - {competitor: ironclad, talk_track: Ask about lead times.}\n",
    )
    # recovery-drills crosses from rep to partner: partners read it as new
    (root / drills).write_text("audience: partner\n" + (root / drills).read_text())
    _edit(root, "partners/red-rock.yaml", "tier: registered", "tier: silver")
    _edit(root, play, "min_tier: silver", "min_tier: registered")
    _commit(top, "v2", V2_DATE, "v2")
    # --- a broken revision on top ------------------------------------------------------------
    _edit(root, drills, "why_us: [anomaly-alerts]", "why_us: [anomaly-alert]")
    _commit(top, "typo", "2026-11-24T12:00:00+00:00", "broken")
    # the work tree differs from every commit: changes must read git, not the checkout
    (root / "plays/recovery-drills.yaml").write_text(V1_FILES["plays/recovery-drills.yaml"])
    (root / "competitors/dirty.yaml").write_text(IRONCLAD.replace("Ironclad", "Dirtyco"))
    return top


@pytest.fixture(scope="module")
def report(repo: Path) -> dict[str, list[dict[str, object]]]:
    """audience → changes, v1 → v2 as JSON."""
    done = run_cli(
        "changes", "--since", "v1", "--until", "v2", "--as-of", AS_OF, "--format", "json", cwd=repo
    )
    assert done.code == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["since"]["rev"] == "v1" and data["until"]["rev"] == "v2"
    assert data["since"]["as_of"] == "2026-10-15" and data["until"]["as_of"] == AS_OF
    return {e["audience"]: e["changes"] for e in data["editions"]}


def _keys(changes: list[dict[str, object]]) -> set[tuple[object, object, object]]:
    return {(c["kind"], c["action"], c["subject"]) for c in changes}


def _messages(changes: list[dict[str, object]]) -> list[str]:
    return [str(c["message"]) for c in changes]


def test_rep_changes_name_each_kind_of_change(report: dict[str, list[dict[str, object]]]) -> None:
    rep = report["rep"]
    keys = _keys(rep)
    messages = _messages(rep)
    expected = {
        ("objection", "new", "play:backup-modernization"),
        ("proof", "new", "play:backup-modernization"),  # customer proof
        ("proof", "new", "claim:immutable-by-default"),  # claim proof
        ("talk-track", "changed", "play:recovery-drills"),
        ("talk-track", "new", "play:recovery-drills"),  # against the new competitor
        ("claim", "stale", "claim:fast-restores"),
        ("competitor", "re-verified", "competitor:acme"),
        ("competitor", "new", "competitor:ironclad"),
        ("roadmap", "available", "capability:vault/instant-recovery"),
        ("roadmap", "moved", "capability:vault/anomaly-detection"),
        ("partner", "tier", "partner:red-rock"),
    }
    assert expected <= keys, expected - keys
    assert "Instant recovery is now GA" in messages
    assert "ETA of Ransomware anomaly detection moved from 2027-Q2 to 2027-Q3" in messages
    assert "Red Rock Solutions moved from registered to silver tier" in messages
    assert any(
        m.startswith("New objection on Backup modernization: “Tape is cheaper.”") for m in messages
    )
    assert any("went stale: last verified 114 days ago" in m for m in messages)
    # recovery-drills was already a rep play: not new to reps
    assert ("play", "new", "play:recovery-drills") not in keys
    # the work tree's uncommitted competitor is in no revision
    assert not any("Dirtyco" in m for m in messages)


def test_an_item_crossing_the_audience_line_reads_as_new(
    report: dict[str, list[dict[str, object]]],
) -> None:
    partner = _keys(report["partner"])
    assert ("play", "new", "play:recovery-drills") in partner
    # the stale claim leaves partner editions: withdrawn, not "stale"
    assert ("claim", "removed", "claim:fast-restores") in partner
    assert ("claim", "stale", "claim:fast-restores") not in partner
    # launch-ready (labelled) reached partners at v1: now GA
    assert ("roadmap", "available", "capability:vault/instant-recovery") in partner
    # a play's tier moves; no partner hears of another partner's tier
    messages = _messages(report["partner"])
    assert "Backup modernization now reaches registered partners and up (was silver)" in messages
    assert ("partner", "tier", "partner:red-rock") not in partner
    assert not [m for m in messages if "Red Rock" in m]


def test_internal_changes_reach_only_the_internal_note(
    report: dict[str, list[dict[str, object]]],
) -> None:
    internal = json.dumps(report["internal"])
    # the internal note does tell them (so the scan below can fail)
    assert {"kqzint01", "kqzint02", "kqzint03"} <= set(CANARY.findall(internal))
    assert ("play", "new", "play:secret-play") in _keys(report["internal"])
    assert ("objection", "removed", "play:backup-modernization") in _keys(report["internal"])
    for audience in ("rep", "partner", "public"):
        text = json.dumps(report[audience])
        assert CANARY.findall(text) == [], audience
        assert "secret-play" not in text
        # the internal objection removed between v1 and v2 is not mentioned, nor the
        # internal pricing edit of a competitor reps see
        assert ("objection", "removed", "play:backup-modernization") not in _keys(report[audience])
        assert not [c for c in report[audience] if "pricing" in c["fields"]]  # type: ignore[operator]


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_every_format_keeps_internal_changes_out(repo: Path, fmt: str) -> None:
    for audience in ("rep", "public"):
        done = run_cli(
            "changes", "--since", "v1", "--until", "v2", "--as-of", AS_OF,
            "--audience", audience, "--format", fmt, cwd=repo,
        )  # fmt: skip
        assert done.code == 0, done.stderr
        assert CANARY.findall(done.stdout) == []
        if audience == "rep":
            assert "Instant recovery is now GA" in done.stdout
            if fmt == "md":
                assert "# What's new — rep edition" in done.stdout
                assert "## Roadmap" in done.stdout and "## Talk tracks" in done.stdout
            else:
                assert done.stdout.startswith("rep edition: ")
                assert "\n  Instant recovery is now GA\n" in done.stdout


def test_since_v1_until_head_is_judged_at_the_as_of_date(repo: Path) -> None:
    """HEAD (the broken commit) fails check: each error is one line at REV:file, exit 1."""
    done = run_cli("changes", "--since", "v1", "--as-of", AS_OF, "--audience", "rep", cwd=repo)
    assert done.code == 1
    lines = done.stderr.splitlines()
    assert lines[0].startswith("HEAD:plays/plays/recovery-drills.yaml:"), lines
    assert "unknown differentiator 'anomaly-alert'" in lines[0]
    assert lines[-1] == "changes stopped: both revisions must check without errors"
    assert "Traceback" not in done.stderr


def test_no_changes_between_a_revision_and_itself(repo: Path) -> None:
    done = run_cli("changes", "--since", "v2", "--until", "v2", "--audience", "partner", cwd=repo)
    assert done.code == 0, done.stderr
    assert done.stdout.startswith("partner edition: 0 changes since v2 (")


def test_revisions_the_wrong_way_round_are_one_line_exit_2(repo: Path) -> None:
    # every change would read backwards (v2's new play "removed"), with no word why
    done = run_cli("changes", "--since", "v2", "--until", "v1", cwd=repo)
    assert done.code == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("salesplay: error: --since v2 is later than --until v1 (its history")
    assert line.endswith("): swap them")
    assert done.stdout == ""


def test_an_empty_until_is_refused_as_an_empty_since_is(repo: Path) -> None:
    # "$RELEASE" unset: read as HEAD, it left out the uncommitted-edits note
    done = run_cli("changes", "--since", "v1", "--until", "", cwd=repo)
    assert done.code == 2
    assert done.stderr.splitlines() == ["salesplay: error: '' is not a revision"]


def test_an_unknown_revision_is_one_line_exit_2(repo: Path) -> None:
    done = run_cli("changes", "--since", "v9", cwd=repo)
    assert done.code == 2
    assert done.stderr.splitlines() == [
        f"salesplay: error: unknown revision 'v9' (a tag, branch or commit of {repo})"
    ]


def test_a_shallow_clone_is_told_how_to_fetch_its_history(repo: Path, tmp_path: Path) -> None:
    """CI's default clone (`--depth 1`) holds no earlier commit: every revision was an
    "unknown revision", with no hint why."""
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(tmp_path / "shallow")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    done = run_cli("changes", "--since", "v1", cwd=tmp_path / "shallow")
    assert done.code == 2
    (line,) = done.stderr.splitlines()
    assert line.endswith(
        "; this clone is shallow and holds no earlier commit: `git fetch --unshallow --tags`"
        " (in CI, check out with the whole history: `fetch-depth: 0`)"
    ), line


def test_a_shallow_clone_s_build_says_what_s_new_lacks_its_history(
    repo: Path, tmp_path: Path
) -> None:
    """A CI build from a `--depth 1` clone published "No release to compare yet" to reps,
    and the build said nothing of it."""
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--branch", "v2", f"file://{repo}", str(shallow)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    args = ("build", "--only", "site", "--only", "feed", "--as-of", AS_OF, "--jobs", "1")
    done = run_cli(*args, "--out", str(tmp_path / "out"), cwd=shallow)
    assert done.code == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if "shallow" in line]
    assert notes == [
        "note: the catalog's repository is a shallow clone, without the releases before its"
        " tip: What's new and the feeds tell none of them; this clone is shallow and holds no"
        " earlier commit: `git fetch --unshallow --tags` (in CI, check out with the whole"
        " history: `fetch-depth: 0`)"
    ]
    page = (tmp_path / "out/site/whats-new.html").read_text()
    assert "The release history is not in this copy of the catalog" in page
    assert "No release to compare yet" not in page
    # two tags at its tip: a release is told, and the page still says the earlier are missing
    _git(shallow, "tag", "v2.1")
    done = run_cli(*args, "--out", str(tmp_path / "out"), cwd=shallow)
    assert done.code == 0, done.stderr
    page = (tmp_path / "out/site/whats-new.html").read_text()
    assert "0 changes since v2" in page
    assert "Earlier releases are not in this copy of the catalog" in page
    # the whole history: no note, and the page tells the releases
    done = run_cli(*args, "--out", str(tmp_path / "full"), cwd=repo)
    assert done.code == 0 and "shallow" not in done.stderr, done.stderr
    page = (tmp_path / "full/site/whats-new.html").read_text()
    assert "since v1" in page and "Earlier releases are not" not in page


def test_a_revision_before_the_catalog_names_the_first_that_has_it(tmp_path: Path) -> None:
    """A tag older than the catalog said "'plays' holds no catalog at e03e3faa6555": a hash
    the user never typed, and nothing of which revision would do."""
    top = tmp_path / "project"
    top.mkdir()
    (top / "README.md").write_text("notes\n")
    _git(top, "init", "-q", "-b", "main")
    _git(top, "add", "README.md")
    _git(top, "commit", "-q", "-m", "readme", date="2026-10-01T12:00:00+00:00")
    _git(top, "tag", "v0")
    make_catalog(top)
    _git(top, "add", "plays")
    _git(top, "commit", "-q", "-m", "catalog", date="2026-10-02T12:00:00+00:00")
    first = _git(top, "log", "-1", "--format=%h").strip()
    done = run_cli("changes", "--since", "v0", cwd=top)
    assert (done.code, done.stderr.splitlines()) == (
        2,
        [
            f"salesplay: error: 'plays' holds no catalog at v0 (its catalog.yaml is first in"
            f" {first}: a revision since then)"
        ],
    )


def test_edits_not_committed_are_noted_as_left_out(tmp_path: Path) -> None:
    """Release notes written before the commit left the edits out with no word: "0 changes"
    after a morning's work."""
    top = tmp_path / "project"
    top.mkdir()
    root = make_catalog(top)
    (top / "notes.txt").write_text("not the catalog\n")
    _git(top, "init", "-q", "-b", "main")
    _commit(top, "v1", "2026-11-01T12:00:00+00:00", "v1")
    _edit(root, "plays/backup-modernization.yaml", "immutable, off-site", "immutable off-site")
    (root / "plays/new-play.yaml").write_text("name: New\n")
    (root / "plays/.#new-play.yaml").write_text("an editor's lock\n")
    (top / "notes.txt").write_text("edited, but outside the catalog\n")
    # nothing the loader reads: a note, an editor's backup, a build inside the catalog
    (root / "NOTES.md").write_text("to do\n")
    (root / "plays/backup-modernization.yaml~").write_text("old\n")
    (root / "build").mkdir()
    (root / "build/out.html").write_text("<p>\n")
    done = run_cli("changes", "--since", "v1", "--as-of", AS_OF, cwd=top)
    assert done.code == 0, done.stderr
    assert "0 changes since v1" in done.stdout
    assert done.stderr.splitlines() == [
        "note: not committed, so not in these changes (they are until HEAD):"
        " plays/plays/backup-modernization.yaml, plays/plays/new-play.yaml"
    ]
    # --until named: the user chose the revision
    done = run_cli("changes", "--since", "v1", "--until", "HEAD", "--as-of", AS_OF, cwd=top)
    assert (done.code, done.stderr) == (0, "")


def test_a_catalog_folder_of_plays_is_told_where_the_catalog_is(repo: Path) -> None:
    """`--catalog plays/plays` (or running inside plays/) read each play as a catalog file at
    each revision: twelve errors, where `check` says where the catalog is in one line."""
    done = run_cli("changes", "--catalog", "plays/plays", "--since", "v1", cwd=repo)
    assert (done.code, done.stderr.splitlines()) == (
        2,
        [
            "salesplay: error: catalog folder 'plays/plays' has no catalog.yaml; 'plays' has"
            " one: use --catalog plays"
        ],
    )


def test_outside_git_changes_says_so_in_one_line(tmp_path: Path) -> None:
    make_catalog(tmp_path)
    done = run_cli("changes", "--since", "v1", cwd=tmp_path)
    assert done.code == 2
    assert done.stderr.splitlines() == [
        "salesplay: error: catalog 'plays' is not in a git repository: changes reads the"
        " catalog's history from git"
    ]
    assert done.stdout == ""


def test_git_that_cannot_run_is_one_line_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git found but not runnable (a permission, not a missing file) is a usage error too."""
    make_catalog(tmp_path)

    def refused(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(subprocess, "run", refused)
    done = run_cli("changes", "--since", "v1", cwd=tmp_path)
    assert done.code == 2
    assert done.stderr.splitlines() == [
        "salesplay: error: changes cannot run git: Permission denied"
    ]


# --- the What's new feeds of a build ------------------------------------------------------------


@pytest.fixture(scope="module")
def atoms(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """edition name → its Atom feed, from `build --only feed` of the repository's work tree."""
    out = tmp_path_factory.mktemp("atom") / "build"
    ctx = Context(catalog=repo / "plays", as_of=dt.date(2026, 11, 24), out=out)
    assert run_build(ctx, ["feed"]) == 0
    return {p.stem: p.read_bytes() for p in sorted((out / "feed").glob("*.atom"))}


def test_each_edition_has_an_atom_feed_of_its_releases(atoms: dict[str, bytes]) -> None:
    assert set(atoms) == {
        "internal", "rep", "public", "partner-registered", "partner-silver", "partner-gold",
    }  # fmt: skip
    for name, data in atoms.items():
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert parsed.version == "atom10"
        assert parsed.feed.title == f"Northwind Systems — what's new ({name} edition)"
        assert parsed.feed.id.startswith("urn:uuid:")
        # v1 and v2 match the release pattern v*; "broken" does not
        assert [e.title for e in parsed.entries] == [
            e.title for e in parsed.entries if e.title.startswith("v2: ")
        ] and len(parsed.entries) == 1, name
    rep = feedparser.parse(atoms["rep"]).entries[0]
    assert rep.title.endswith(" since v1") and rep.updated.startswith("2026-11-23")
    content = rep.content[0].value
    assert "<h3>Roadmap</h3>" in content and "<li>Instant recovery is now GA</li>" in content
    assert "Red Rock Solutions moved from registered to silver tier" in content
    # entry ids are stable and differ per edition
    ids = {feedparser.parse(d).entries[0].id for d in atoms.values()}
    assert len(ids) == len(atoms)


def test_a_partner_tier_feed_tells_what_its_kit_gained(atoms: dict[str, bytes]) -> None:
    registered = feedparser.parse(atoms["partner-registered"]).entries[0].content[0].value
    # backup-modernization's min_tier fell from silver to registered: new in registered kits
    assert "New play: Backup modernization" in registered
    gold = feedparser.parse(atoms["partner-gold"]).entries[0].content[0].value
    assert "New play: Backup modernization" not in gold
    assert "New play: Recovery drills" in gold  # crossed from rep to partner
    for data in (atoms["partner-registered"], atoms["partner-gold"]):
        assert b"Red Rock" not in data


def test_canaries_reach_only_the_internal_atom_feed(atoms: dict[str, bytes]) -> None:
    assert {"kqzint01", "kqzint02", "kqzint03"} <= set(CANARY.findall(atoms["internal"].decode()))
    for name, data in atoms.items():
        if name != "internal":
            assert CANARY.findall(data.decode()) == [], name


def test_outside_git_the_build_skips_the_atom_feeds_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_catalog(tmp_path)
    ctx = Context(catalog=root, as_of=dt.date(2026, 11, 23), out=tmp_path / "build")
    assert run_build(ctx, ["feed"]) == 0
    assert (tmp_path / "build/feed/rep.json").is_file()
    assert list((tmp_path / "build/feed").glob("*.atom")) == []
    assert "the catalog is not in git: no What's new (Atom) feeds" in capsys.readouterr().err


def test_revisions_are_read_from_git_objects_and_huge_blobs_are_cut(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """extract writes the tree of a commit (never the work tree); a blob past the cap is
    written cut to one byte more, so the loader's size limits still refuse it."""
    monkeypatch.setattr(gitrev, "BLOB_CAP", 64)
    git_repo = gitrev.Repo.of(repo / "plays")
    assert (git_repo.top, git_repo.prefix) == (repo, "plays/")
    dest = tmp_path / "v2"
    git_repo.extract(git_repo.commit("v2"), dest)
    small = dest / "partners/red-rock.yaml"
    assert small.read_text() == "name: Red Rock Solutions\ntier: silver\n"
    whole = _git(repo, "show", "v2:plays/competitors/ironclad.yaml").encode()
    assert len(whole) > 65
    assert (dest / "competitors/ironclad.yaml").read_bytes() == whole[:65]
    assert not (dest / "competitors/dirty.yaml").exists()  # only in the work tree


def _rep_edition(root: Path) -> Edition:
    from salesplay.edition import make_edition
    from salesplay.pipeline import check_catalog

    cat = check_catalog(Context(catalog=root, as_of=dt.date(2026, 11, 23)))
    assert cat is not None
    return make_edition(cat, "rep")


def test_a_reworded_objection_is_one_change_and_a_new_one_stays_new(tmp_path: Path) -> None:
    """An objection edited in place was told as a new objection and a dropped one; it is one
    change that says what it was. An objection with other words is still new and dropped."""
    root = make_catalog(tmp_path)
    before = _rep_edition(root)
    play = "plays/backup-modernization.yaml"
    _edit(root, play, '"We already have backups."', '"We already have backups, and they work."')
    reworded = diff.edition_changes(before, _rep_edition(root))
    assert [(c.kind, c.action, c.message) for c in reworded] == [
        (
            "objection",
            "changed",
            "Objection reworded on Backup modernization: “We already have backups, and they"
            " work.” (was “We already have backups.”)",
        )
    ]
    _edit(root, play, '"We already have backups, and they work."', '"Budget is frozen."')
    other = diff.edition_changes(before, _rep_edition(root))
    assert sorted((c.action, c.message.split(":")[0]) for c in other) == [
        ("new", "New objection on Backup modernization"),
        ("removed", "Objection dropped from Backup modernization"),
    ]


def test_a_play_change_links_to_the_section_of_the_card_it_is_in(tmp_path: Path) -> None:
    """What's new linked every change of a play to the top of its card: an objection's goes
    to the card's objections, a proof point's to its proof; a change to the play itself, or
    in a section the card no longer has, to the card."""
    from salesplay.families.site import news_item
    from salesplay.render.html import Links

    rep = _rep_edition(make_catalog(tmp_path))
    links = Links.for_site(0)
    bm = "backup-modernization"

    def href(kind: str, action: str = "new") -> str | None:
        return news_item(diff.Change(kind, action, f"play:{bm}", "m"), rep, links).href

    assert href("objection") == f"battlecards/{bm}.html#play-{bm}--objections"
    # a dropped objection: to the objections the card holds now
    assert href("objection", "removed") == f"battlecards/{bm}.html#play-{bm}--objections"
    assert href("play", "removed") is None
    assert href("play", "changed") == f"battlecards/{bm}.html"
    assert rep.plays[bm].objections  # the section is there to link to
    assert not rep.plays["recovery-drills"].proof
    drills = diff.Change("proof", "new", "play:recovery-drills", "m")
    assert news_item(drills, rep, links).href == "battlecards/recovery-drills.html"


def _changes_since(before: Edition, root: Path) -> set[tuple[str, str, str]]:
    """(subject, action, message) of each change from `before` to the rep edition now."""
    return {
        (c.subject, c.action, c.message) for c in diff.edition_changes(before, _rep_edition(root))
    }


def test_a_partner_program_a_destination_and_a_path_name_are_changes(tmp_path: Path) -> None:
    """A new margin on a play, a renamed destination with a new promise and a renamed path
    were told to nobody: partners read "Nothing in your kit changed" beside the new terms."""
    root = make_catalog(tmp_path)
    before = _rep_edition(root)
    play, dest = "plays/backup-modernization.yaml", "destinations/cyber-resilience.yaml"
    _edit(root, play, "min_tier: silver}", "min_tier: silver, margin: 30 % resale margin}")
    _edit(root, dest, "name: Cyber-resilient enterprise", "name: Ransomware-proof enterprise")
    _edit(root, dest, "within an hour", "within 30 minutes")
    _edit(
        root,
        "paths/resilience-journey.yaml",
        "name: From nightly backup to proven recovery",
        "name: From tape to proven recovery",
    )
    found = _changes_since(before, root)
    assert found == {
        ("play:backup-modernization", "changed", "Backup modernization changed: partner program"),
        (
            "destination:cyber-resilience",
            "changed",
            "Ransomware-proof enterprise changed: name, promise",
        ),
        ("path:resilience-journey", "changed", "From tape to proven recovery changed: name"),
    }


def test_what_a_path_step_says_is_a_change_of_the_path(tmp_path: Path) -> None:
    """A step's milestone, stage or entry signals edited were no news to anyone, though
    every card, playbook and pitch deck shows them: only the plays a path's steps hold were
    compared."""
    root = make_catalog(tmp_path)
    before = _rep_edition(root)
    _edit(
        root,
        "paths/resilience-journey.yaml",
        "milestone: Quarterly recovery drill with evidence",
        "milestone: Monthly recovery drill with evidence",
    )
    found = _changes_since(before, root)
    assert found == {
        ("path:resilience-journey", "changed", "Steps of From nightly backup to proven recovery"
         " changed"),
    }  # fmt: skip


def _told_after(tmp_path: Path, old: str, new: str) -> list[tuple[str, str]]:
    """What the rep edition's changes say after `old` becomes `new` in a play of `minimal`."""
    root = make_catalog(tmp_path)
    before = _rep_edition(root)
    _edit(root, "plays/backup-modernization.yaml", old, new)
    return [(c.action, c.message) for c in diff.edition_changes(before, _rep_edition(root))]


def test_an_objection_reworded_with_its_answer_tells_the_new_answer(tmp_path: Path) -> None:
    """An objection and its answer rewritten together read "Objection reworded", with the
    old answer unsaid: a rep kept giving it."""
    found = _told_after(
        tmp_path,
        '{objection: "We already have backups.", response: "Ask how long the last **restore**'
        ' took."}',
        '{objection: "We already have backups that work.", response: "Ask for the last'
        ' restore report."}',
    )
    assert found == [
        (
            "changed",
            "Objection and answer reworded on Backup modernization: “We already have backups"
            " that work.” — “Ask for the last restore report.” (was “We already have"
            " backups.”)",
        )
    ]


CONTOSO = (
    'customer: Contoso Health, industry: healthcare, result: "Restore time from 3 days to 40'
    ' minutes."'
)


@pytest.mark.parametrize(
    ("new", "told"),
    [
        (
            "customer: Contoso Health, industry: healthcare,"
            ' result: "Restore time from 3 days to 30 minutes."',
            [
                (
                    "changed",
                    "Proof point updated on Backup modernization: Contoso Health — “Restore"
                    " time from 3 days to 30 minutes.”",
                )
            ],
        ),
        (
            "customer: Contoso Healthcare, industry: healthcare,"
            ' result: "Restore time from 3 days to 40 minutes!"',
            [
                (
                    "changed",
                    "Proof point updated on Backup modernization: Contoso Healthcare — “Restore"
                    " time from 3 days to 40 minutes!” (was Contoso Health)",
                )
            ],
        ),
        (
            'customer: Fabrikam, result: "No audit finding in two years."',
            [
                (
                    "new",
                    "New proof point on Backup modernization: Fabrikam — “No audit finding in"
                    " two years.”",
                ),
                (
                    "removed",
                    "Proof point dropped from Backup modernization: Contoso Health — “Restore"
                    " time from 3 days to 40 minutes.”",
                ),
            ],
        ),
    ],
    ids=["result-edited", "customer-renamed", "replaced"],
)
def test_customer_proof_edited_renamed_or_dropped_is_told_as_such(
    tmp_path: Path, new: str, told: list[tuple[str, str]]
) -> None:
    """A proof point edited in place read "New proof point", and one dropped was never told,
    so reps kept citing a customer that had withdrawn."""
    assert _told_after(tmp_path, CONTOSO, new) == told


def test_of_two_proof_points_of_one_customer_the_dropped_one_is_told_dropped(
    tmp_path: Path,
) -> None:
    """One dropped and the other edited: they were paired by order, so the edited one was
    told dropped and the dropped one never named (probe round 15)."""
    root = make_catalog(tmp_path)
    play = "plays/backup-modernization.yaml"
    audit = "Passed its cyber-insurance audit with immutable copies of every system."
    second = f"\n  - {{customer: Contoso Health, result: {audit}}}"
    _edit(root, play, CONTOSO + ", audience: public}", CONTOSO + ", audience: public}" + second)
    before = _rep_edition(root)
    _edit(root, play, "  - {" + CONTOSO + ", audience: public}\n", "")
    _edit(root, play, "every system.", "all its systems.")
    assert [(c.action, c.message) for c in diff.edition_changes(before, _rep_edition(root))] == [
        (
            "changed",
            "Proof point updated on Backup modernization: Contoso Health — “Passed its"
            " cyber-insurance audit with immutable copies of all its systems.”",
        ),
        (
            "removed",
            "Proof point dropped from Backup modernization: Contoso Health — “Restore time from"
            " 3 days to 40 minutes.”",
        ),
    ]


def test_claim_proof_reworded_or_dropped_is_told_as_such(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    before = _rep_edition(root)
    claim = "differentiators/immutable-by-default.yaml"
    _edit(root, claim, "0 of 500 snapshots altered.", "0 of 600 snapshots altered.")
    assert [(c.action, c.message) for c in diff.edition_changes(before, _rep_edition(root))] == [
        (
            "changed",
            "Proof point reworded for claim “Every backup is immutable by default, at no extra"
            " cost.”: “Independent lab test, 2026: 0 of 600 snapshots altered.”",
        )
    ]
    # a new source for the same words is no news
    after = _rep_edition(root)
    _edit(root, claim, "https://lab.example/report", "https://lab.example/report-2026")
    assert diff.edition_changes(after, _rep_edition(root)) == []
    _edit(root, claim, '"Independent lab test, 2026: 0 of 600 snapshots altered."', "Nothing.")
    assert ("removed", "Proof point dropped from claim") in {
        (c.action, c.message.split(" “")[0])
        for c in diff.edition_changes(before, _rep_edition(root))
    }


def test_a_talk_track_edited_in_place_is_reworded_not_new(tmp_path: Path) -> None:
    """An edited talk track (or one whose translation came back) read "New talk track"."""
    found = _told_after(tmp_path, "talk_track: Acme is solid on-prem;",
                        "talk_track: Acme is solid on-premises;")  # fmt: skip
    assert found == [
        (
            "changed",
            "Talk track reworded against Acme Backup on Backup modernization: “Acme is solid"
            " on-premises; ask what happens when the backup server is encrypted.”",
        )
    ]


def test_a_second_talk_track_added_above_the_first_is_new_and_the_first_unchanged(
    tmp_path: Path,
) -> None:
    """Matchups of one competitor were paired by order: a talk track added above the first
    was told as the first "reworded", and the first as "new", to partners too."""
    found = _told_after(
        tmp_path,
        "  - competitor: acme\n",
        "  - {competitor: acme, talk_track: Acme drills take a weekend; ours need none.,"
        " audience: partner}\n"
        "  - competitor: acme\n",
    )
    assert found == [
        (
            "new",
            "New talk track against Acme Backup on Backup modernization: “Acme drills take a"
            " weekend; ours need none.”",
        )
    ]


def test_a_tiers_changes_are_those_its_kits_tell_and_name_no_other_play(repo: Path) -> None:
    """`--audience partner` is the whole partner edition: a note to paste to a registered
    partner named plays only higher tiers sell. `--tier` tells that tier's kit edition."""
    args = ("changes", "--since", "v1", "--until", "v2", "--as-of", AS_OF, "--format", "json")
    done = run_cli(*args, "--tier", "registered", cwd=repo)
    assert done.code == 0, done.stderr
    editions = json.loads(done.stdout)["editions"]
    assert [e["audience"] for e in editions] == ["partner-registered"]
    told = editions[0]["changes"]
    plays = {str(c["subject"]).split(":")[1] for c in told if c["kind"] == "play"}
    # backup modernization moved down to registered, recovery drills crossed to partner
    assert plays == {"backup-modernization", "recovery-drills"}, _messages(told)
    whole = json.loads(run_cli(*args, "--audience", "partner", cwd=repo).stdout)["editions"]
    assert len(whole[0]["changes"]) > len(told)
    bad = run_cli(*args, "--tier", "gld", cwd=repo)
    assert bad.code == 2 and bad.stderr.count("\n") == 1
    assert "tier 'gld' is not in catalog.yaml tiers at v2 (did you mean 'gold'?)" in bad.stderr
    mixed = run_cli(*args, "--tier", "gold", "--audience", "rep", cwd=repo)
    assert mixed.code == 2 and "--tier is for the partner audience" in mixed.stderr


def test_a_play_whose_audience_widened_is_told_to_marketers_and_reps_only(
    report: dict[str, list[dict[str, object]]],
) -> None:
    """Recovery drills went from rep to partner: the internal and rep notes say so (a rep
    learns partners now sell it); partners read it as a new play, told no audience."""
    moved = ("play", "audience", "play:recovery-drills")
    for audience in ("internal", "rep"):
        told = [c for c in report[audience] if (c["kind"], c["action"], c["subject"]) == moved]
        assert _messages(told) == ["Recovery drills now reaches the partner edition (was rep)"]
    assert ("play", "new", "play:recovery-drills") in _keys(report["partner"])
    for audience in ("partner", "public"):
        assert not [c for c in report[audience] if c["action"] == "audience"]


def test_a_partial_clone_never_fetches_what_it_lacks(repo: Path, tmp_path: Path) -> None:
    """No network at build time: in a partial clone, an old release's blobs that were never
    fetched stay missing (git asked for them answers that it cannot), rather than being
    fetched from the clone's remote, here a local one that holds them."""
    source = tmp_path / "source"
    _git(tmp_path, "clone", "-q", "--bare", str(repo), str(source))
    _git(source, "config", "uploadpack.allowFilter", "true")
    _git(source, "config", "uploadpack.allowAnySHA1InWant", "true")
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", "--filter=blob:none", "--no-checkout", source.as_uri(), "clone")
    _git(clone, "checkout", "-q", "v2")  # the test's own git fetches v2's blobs
    old = _git(clone, "rev-parse", "v1:plays/plays/backup-modernization.yaml").strip()

    def present() -> bool:
        env = {**os.environ, "GIT_NO_LAZY_FETCH": "1"}
        asked = ["git", "-C", str(clone), "cat-file", "-e", old]
        return subprocess.run(asked, env=env, capture_output=True, check=False).returncode == 0

    assert not present()
    git_repo = gitrev.Repo.of(clone / "plays")
    with pytest.raises(UsageError, match="git cannot read object"):
        git_repo.extract(git_repo.commit("v1"), tmp_path / "v1")
    assert changes.history(clone / "plays", "v*", 5) == []  # v1 unreadable: no note
    assert not present()


def test_a_partner_marked_internal_is_told_to_marketers_not_reps(tmp_path: Path) -> None:
    """A partner's `audience:` decides who is told of it: an internal one (a deal still
    being negotiated) is news in the internal notes only, never in the reps' what's new,
    feed or `changes`; a partner without `audience:` is news to reps, as before."""
    top = tmp_path / "project"
    top.mkdir()
    root = make_catalog(top)
    _git(top, "init", "-q", "-b", "main")
    _commit(top, "v1", V1_DATE, "v1")
    (root / "partners/quiet-talks.yaml").write_text(
        "name: Quiet Talks kqzint09\ntier: gold\naudience: internal\n"
    )
    (root / "partners/open-co.yaml").write_text("name: Open Co\ntier: silver\n")
    _commit(top, "v2", V2_DATE, "v2")
    args = ("changes", "--since", "v1", "--until", "v2", "--as-of", AS_OF, "--format", "json")
    done = run_cli(*args, cwd=top)
    assert done.code == 0, done.stderr
    news = {
        e["audience"]: [c["message"] for c in e["changes"] if c["kind"] == "partner"]
        for e in json.loads(done.stdout)["editions"]
    }
    opened, quiet = "New partner: Open Co (silver)", "New partner: Quiet Talks kqzint09 (gold)"
    assert news["internal"] == [opened, quiet]
    assert news["rep"] == [opened]
    assert news["partner"] == news["public"] == []
    ctx = Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF), out=top / "build", jobs=1)
    assert run_build(ctx, ["site", "feed"]) == 0
    rep_pages = [top / "build/site/whats-new.html", top / "build/feed/rep.atom"]
    assert all("Open Co" in p.read_text() for p in rep_pages)
    assert not [p for p in rep_pages if CANARY.search(p.read_text())]
    assert CANARY.search((top / "build/feed/internal.atom").read_text())
    # its own kit is made as any partner's (the kits are those of the partner edition's
    # partners): what it holds is its tier's partner edition
    from salesplay.edition import make_edition
    from salesplay.pipeline import check_catalog

    cat = check_catalog(Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF)))
    assert cat is not None
    assert "quiet-talks" in make_edition(cat, "partner").partners


def test_releases_follow_their_commits_and_version_order(tmp_path: Path) -> None:
    """v1.8, v1.9 and v1.10 tagged in one second read "v1.9: 1 change since v1.8", then
    "v1.8: 1 change since v1.10": ties were broken by the names as strings. An annotated
    tag added later to an old commit came last, as if newest."""
    top = tmp_path / "project"
    top.mkdir()
    root = make_catalog(top)
    _git(top, "init", "-q", "-b", "main")
    same = "2026-10-15T12:00:00+00:00"
    for n in (8, 9, 10):
        _edit_name(root, f"Drills {n}")
        _commit(top, f"v1.{n}", same, f"v1.{n}")
    _edit_name(root, "Drills 11")
    _commit(top, "later", "2026-10-20T12:00:00+00:00")
    first = _git(top, "rev-list", "--max-parents=0", "HEAD").strip()
    _git(
        top,
        "tag",
        "-a",
        "-m",
        "the first, named late",
        "v0.9",
        first,
        date="2026-11-01T12:00:00+00:00",
    )
    repo = gitrev.Repo.of(root)
    assert repo is not None
    assert [r.tag for r in gitrev.releases(repo, "*")] == ["v0.9", "v1.8", "v1.9", "v1.10"]


def test_a_release_is_dated_at_its_commit_whatever_its_tags_say(tmp_path: Path) -> None:
    """A release took its tag's date: a tag made a week later on an old commit judged its
    claims a week staler than the release after it (a claim "withdrawn", then "new" again)
    and dated it after it. A tag of a tag named the tag object, not its commit, and was
    placed by its own date. A tag whose name holds U+2028 was split in two names."""
    top = tmp_path / "project"
    top.mkdir()
    root = make_catalog(top)
    _git(top, "init", "-q", "-b", "main")
    _edit_name(root, "Drills 1")
    _commit(top, "first", "2026-10-15T12:00:00+00:00", "r1")
    _edit_name(root, "Drills 2")
    _commit(top, "second", "2026-10-16T12:00:00+00:00")
    second = _git(top, "rev-parse", "HEAD").strip()
    _git(top, "tag", "-a", "-m", "late", "r2", date="2026-11-01T12:00:00+00:00")
    _edit_name(root, "Drills 3")
    _commit(top, "third", "2026-10-17T12:00:00+00:00", "r3")
    _git(top, "tag", "-a", "-m", "of a tag", "r4", "r2", date="2026-11-05T12:00:00+00:00")
    _git(top, "tag", "r5\u2028x", "r1")
    repo = gitrev.Repo.of(root)
    assert repo is not None
    found = {r.tag: r for r in gitrev.releases(repo, "*")}
    assert set(found) == {"r1", "r2", "r3", "r4", "r5\u2028x"}
    assert found["r2"].date == found["r4"].date == dt.date(2026, 10, 16)
    assert found["r4"].commit == found["r2"].commit == second
    assert [r.tag for r in gitrev.releases(repo, "r[1-4]")] == ["r1", "r2", "r4", "r3"]


def test_an_atom_entry_keeps_its_id_when_the_feed_s_window_moves(tmp_path: Path) -> None:
    """Two tags on one commit: the feed's oldest entry of the commit took the commit's id
    alone, so when the window of `releases.keep` moved past the older tag, the other took
    its id, and a reader wrote one release's text over the other's. The oldest tag of the
    commit among all releases keeps the commit's id, in every build."""
    top = tmp_path / "project"
    top.mkdir()
    root = make_catalog(top)
    (root / "catalog.yaml").write_text(
        (root / "catalog.yaml").read_text() + "releases: {keep: 2}\n"
    )
    _git(top, "init", "-q", "-b", "main")
    for n, day in ((1, 15), (2, 16), (3, 17)):
        _edit_name(root, f"Drills {n}")
        _commit(top, f"v{n}", f"2026-10-{day}T12:00:00+00:00", f"v{n}")
    _git(top, "tag", "v3.0")

    def ids() -> dict[str, str]:
        out = tmp_path / "build"
        ctx = Context(catalog=root, as_of=dt.date(2026, 11, 24), out=out)
        assert run_build(ctx, ["feed"]) == 0
        parsed = feedparser.parse((out / "feed/rep.atom").read_bytes())
        return {e.title.split(":")[0]: e.id for e in parsed.entries}

    before = ids()
    _git(top, "tag", "v3.1")
    after = ids()
    assert before["v3.0"] == after["v3.0"], (before, after)
    assert len(set(after.values())) == len(after)


def _edit_name(root: Path, name: str) -> None:
    play = root / "plays/recovery-drills.yaml"
    text = play.read_text()
    play.write_text(re.sub(r"(?m)^name: .*$", f"name: {name}", text, count=1))


def test_a_release_holding_a_name_too_long_for_this_disk_is_one_line_and_no_note(
    tmp_path: Path,
) -> None:
    """A tree holding a 300-byte file name (git takes it; NAME_MAX is 255): `changes` said
    "internal error: OSError", and every build that reads history stopped."""
    top = tmp_path / "project"
    top.mkdir()
    root = make_catalog(top)
    _git(top, "init", "-q", "-b", "main")
    _commit(top, "v1", "2026-10-15T12:00:00+00:00", "v1")
    oid = _git(top, "hash-object", "-w", str(root / "plays/recovery-drills.yaml")).strip()
    long = f"plays/assets/{'x' * 300}.txt"
    _git(top, "update-index", "--add", "--cacheinfo", f"100644,{oid},{long}")
    _git(top, "commit", "-q", "-m", "long name", date="2026-10-16T12:00:00+00:00")
    _git(top, "tag", "v2")
    _git(top, "reset", "-q", "--hard", "v1")
    done = run_cli("changes", "--since", "v1", "--until", "v2", cwd=top)
    assert done.code == 2
    assert done.stderr.startswith("salesplay: error: cannot read ")
    assert "cannot be written here: File name too long" in done.stderr
    assert len(done.stderr.splitlines()) == 1
    built = run_cli("build", "--as-of", "2026-11-23", "--only", "site", cwd=top)
    assert built.code == 0, built.stderr


def test_a_revision_s_error_names_the_file_as_the_repository_does_at_its_top(
    tmp_path: Path,
) -> None:
    """With the catalog folder at the repository's top, an error at a revision read
    `v1:catalog/plays/x.yaml` (the folder it was extracted into), a file the repository
    does not have; it is `v1:plays/x.yaml`."""
    root = make_catalog(tmp_path)
    _git(root, "init", "-q", "-b", "main")
    play = root / "plays/recovery-drills.yaml"
    good = play.read_text()
    play.write_text(good + "x: [\n")
    _commit(root, "broken", "2026-10-15T12:00:00+00:00", "v1")
    play.write_text(good)
    _commit(root, "fixed", "2026-10-16T12:00:00+00:00")
    done = run_cli("changes", "--since", "v1", "--catalog", ".", "--as-of", AS_OF, cwd=root)
    assert done.code == 1
    assert done.stderr.splitlines()[0].startswith("v1:plays/recovery-drills.yaml:"), done.stderr


def test_a_competitor_named_twice_for_two_audiences_tells_no_change_when_none(
    tmp_path: Path,
) -> None:
    """A play's public talk track against Acme and an internal one beside it: diffed by the
    competitor's id alone, the second overwrote the first, and the internal edition (and a
    kit whose edition shows both) told a talk track "reworded" on every build."""
    from salesplay.context import Context
    from salesplay.edition import make_edition
    from salesplay.pipeline import check_catalog

    bm = "plays/backup-modernization.yaml"
    text = base_text(bm).replace(
        "competitors:\n",
        "competitors:\n  - {competitor: acme, talk_track: Internal angle., audience: internal}\n",
        1,
    )
    root = make_catalog(tmp_path, {bm: text})
    cat = check_catalog(Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF)))
    assert cat is not None
    internal = make_edition(cat, "internal")
    again = make_edition(cat, "internal")
    assert [m.competitor.id for m in internal.plays["backup-modernization"].competitors].count(
        "acme"
    ) == 2
    assert diff.diff_editions(internal, again) == []


def test_a_play_whose_file_was_renamed_is_no_new_play_and_no_removed_one(
    tmp_path: Path,
) -> None:
    """Renaming a play's file (and the path step naming it) was told as "New play: X" and
    "Play removed: X", and its path's steps as changed: readers never see an id. A removed
    play and an added one of the same name are the same play; an edit made with the rename
    is told as an edit."""
    root = make_catalog(tmp_path)
    before = _rep_edition(root)
    (root / "plays/backup-modernization.yaml").rename(root / "plays/modernize.yaml")
    _edit(root, "paths/resilience-journey.yaml", "play: backup-modernization", "play: modernize")
    assert diff.edition_changes(before, _rep_edition(root)) == []
    _edit(
        root,
        "plays/modernize.yaml",
        "talk_track: Acme is solid on-prem;",
        "talk_track: Acme is solid on-premises;",
    )
    found = [(c.action, c.subject) for c in diff.edition_changes(before, _rep_edition(root))]
    assert found == [("changed", "play:modernize")]
