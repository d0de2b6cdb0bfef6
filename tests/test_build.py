"""`salesplay build` on the sample catalog: determinism, --only, the summary, decks, bad templates.

A full build of a copy of `plays/` (outside git, so kits carry no revision that a
concurrent commit could change) is made once per session and shared by the tests; one
`--only` build per family remakes each of its files in another process.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from pptx import Presentation

from conftest import make_catalog
from salesplay import images
from salesplay.families import KINDS, family, owner
from salesplay.locales import delocalized
from salesplay.render.templates import THEME_DIR
from sessionbuild import SALESPLAY, SAMPLE, SAMPLE_AS_OF, salesplay, sample_build, sample_project

AS_OF = SAMPLE_AS_OF
SUMMARY = re.compile(
    r"^built (?P<n>\d+) files \((?P<counts>[^)]*)\) in \d+\.\d s; (?P<changed>\d+) changed"
    r"(?:, (?P<removed>\d+) removed)?; (?P<errors>\d+) errors?, (?P<warnings>\d+) warnings?$"
)
#: the sample's warnings, each real: a stale claim; a competitor weakness naming a
#: launch-ready capability in partner text (the roadmap lint); two public pitch decks
#: without a Proof slide (no customer proof of their plays is public: the edition audit);
#: the German and the Japanese battlecard of backup-modernization over the page budget
#: (3 pages of 2: the build's per-locale page check; `check` reports the first 4)
SAMPLE_WARNINGS = 6


#: a project folder holding a copy of the sample (sessionbuild.sample_project)
project = sample_project

pytestmark = pytest.mark.sample_build


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_build(tmp_path_factory)


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".salesplay" not in p.relative_to(root).parts
    }


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


# --- determinism and what a full build holds ---------------------------------------------


def test_every_output_belongs_to_one_family(first: Path) -> None:
    # so the `--only` builds below, one per family and each compared byte for byte with the
    # full build, remake every file of it in other processes: two builds are identical
    owners = {rel: owner(rel) for rel in files(first / "build")}
    assert [rel for rel, fam in owners.items() if fam is None] == []
    assert {fam.name for fam in owners.values() if fam is not None} == set(KINDS)


def test_full_build_makes_every_output_of_the_contract(first: Path) -> None:
    build = first / "build"
    plays = {p.stem for p in (SAMPLE / "plays").glob("*.yaml")}
    rels = set(files(build))
    for kind in ("battlecards", "decks", "playbooks", "kits"):
        assert any(r.startswith(f"{kind}/") for r in rels), kind
    assert {"site/index.html", "matrix.html", "matrix.pdf", "reports/check.json"} <= rels
    cards = {Path(r).stem for r in rels if r.startswith("battlecards/")}
    assert cards and cards < plays  # the internal play has no rep battlecard
    assert {f"decks/{p}-enablement.pptx" for p in cards} <= rels
    partners = {p.stem for p in (SAMPLE / "partners").glob("*.yaml")}
    # every partner has a kit, in the languages it takes (gulf-tech: Arabic only)
    assert {Path(r).stem for r in rels if delocalized(r)[0].startswith("kits/")} == partners
    assert "ar/kits/gulf-tech.zip" in rels and "kits/gulf-tech.zip" not in rels
    assert {"kits/muller-son.zip", "de/kits/muller-son.zip"} <= rels


def test_summary_is_one_line_that_counts_the_files(first: Path) -> None:
    lines = (first / "stderr.txt").read_text().splitlines()
    match = SUMMARY.match(lines[-1])
    assert match, lines[-1]
    built = files(first / "build")
    assert int(match["n"]) == len(built)
    assert int(match["changed"]) == len(built)  # into an empty folder: all new
    assert int(match["removed"] or 0) == 0
    assert (int(match["errors"]), int(match["warnings"])) == (0, SAMPLE_WARNINGS)
    by_ext: dict[str, int] = {}
    for rel in built:
        ext = Path(rel).suffix.lstrip(".") or "other"
        by_ext[ext] = by_ext.get(ext, 0) + 1
    counts = dict(
        (ext, int(n)) for n, ext in (part.split(" ") for part in match["counts"].split(", "))
    )
    assert counts == by_ext
    # the summary is the only line after the diagnostics and the progress messages
    assert sum(1 for line in lines if line.startswith("built ")) == 1


# --- --only ----------------------------------------------------------------------------


#: the folder of a locale other than the sample's source locale (de/decks/…)
IN_LOCALE = r"(?:(?:de|ja|ar)/)?"
#: files a family may make beside its own: the site's shared styles and fonts (the matrix
#: page uses them)
HELPERS = re.compile(IN_LOCALE + r"site/assets/.*")


#: what the full build keeps of rendered parts (playbook chapters, partner cards and deck
#: bases), keyed by what they are made from: a subset build may reuse them, and what it
#: plans differently from the full build is then a key no part has, made anew
REUSABLE = (".salesplay/parts", ".salesplay/cache")


@pytest.mark.parametrize("kind", KINDS)
def test_only_builds_that_kind_identically(tmp_path: Path, first: Path, kind: str) -> None:
    project(tmp_path)
    for rel in REUSABLE:  # linked, not copied: a build replaces a file, never writes into it
        if (first / "build" / rel).is_dir():
            shutil.copytree(first / "build" / rel, tmp_path / "build" / rel, copy_function=os.link)
    done = salesplay("build", "--only", kind, "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    made = files(tmp_path / "build")
    full = files(first / "build")
    expected = {r for r in full if family(kind).owns(r)}
    assert expected
    assert {r for r in made if family(kind).owns(r)} == expected
    assert {r for r in made if r not in expected and not HELPERS.fullmatch(r)} == set()
    if kind == "reports":
        # check.json holds every diagnostic of its build: here, none of the warnings that
        # rendering the other families finds (the German and Japanese cards' page budget)
        ours, theirs = (json.loads(b["reports/check.json"]) for b in (made, full))
        assert ours == [d for d in theirs if d["code"] != "card-length"]
        assert len(ours) == len(theirs) - 2
        del made["reports/check.json"]
    for rel in made:
        assert made[rel] == full[rel], rel  # a subset build makes the very same bytes


def test_unknown_only_kind_is_a_usage_error(tmp_path: Path) -> None:
    project(tmp_path)
    done = salesplay("build", "--only", "deck", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 2
    assert "unknown output family 'deck'" in done.stderr
    assert "did you mean 'decks'" in done.stderr
    assert not (tmp_path / "build").exists()


# --- bad templates leave the previous build alone ----------------------------------------


@pytest.fixture
def previous(tmp_path: Path, first: Path) -> Path:
    """A project whose build/ holds a previous full build."""
    project(tmp_path)
    shutil.copytree(first / "build", tmp_path / "build")
    (tmp_path / "templates").mkdir()
    return tmp_path


def _override(root: Path, name: str, line: int, text: str) -> None:
    lines = (THEME_DIR / name).read_text().splitlines()
    assert len(lines) >= line
    lines[line - 1] = text
    (root / "templates" / name).write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("  {% if %}", "syntax error"),
        ("  {{ no_such_variable }}", "'no_such_variable' is undefined"),
        ('  {% include "no-such-part.html" %}', "'no-such-part.html' not found"),
    ],
    ids=["syntax", "undefined", "missing-include"],
)
def test_template_error_is_located_and_nothing_is_written(
    previous: Path, text: str, message: str
) -> None:
    _override(previous, "battlecard.html", 20, text)
    before = snapshot(previous / "build")
    done = salesplay("build", "--as-of", AS_OF, cwd=previous)
    assert done.returncode == 1, done.stderr
    errors = [line for line in done.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1, done.stderr
    assert re.fullmatch(r"templates/battlecard\.html:20: error: .+", errors[0]), errors[0]
    assert message in errors[0]
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert snapshot(previous / "build") == before


def test_no_deck_master_override_falls_back_to_the_builtin(previous: Path, first: Path) -> None:
    # templates/ exists (with an unrelated override) but holds no deck.pptx
    shutil.copy(THEME_DIR / "battlecard.html", previous / "templates" / "battlecard.html")
    shutil.rmtree(previous / "build")
    done = salesplay("build", "--only", "decks", "--as-of", AS_OF, cwd=previous)
    assert done.returncode == 0, done.stderr
    made = files(previous / "build")
    assert made and all(re.match(IN_LOCALE + "decks/", rel) for rel in made)
    full = files(first / "build")
    assert all(made[rel] == full[rel] for rel in made)


@pytest.mark.parametrize(
    "content",
    [b"not a presentation\n", b"PK\x03\x04" + bytes(200)],
    ids=["text", "broken-zip"],
)
def test_corrupt_deck_master_is_a_located_error(previous: Path, content: bytes) -> None:
    (previous / "templates" / "deck.pptx").write_bytes(content)
    before = snapshot(previous / "build")
    done = salesplay("build", "--only", "decks", "--as-of", AS_OF, cwd=previous)
    assert done.returncode == 1, done.stderr
    errors = [line for line in done.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1, done.stderr
    assert errors[0].startswith("templates/deck.pptx"), errors[0]
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert snapshot(previous / "build") == before


def _logos(deck: Path) -> set[bytes]:
    """The company logos on a deck's slides, as PNG bytes."""
    from salesplay.render.pptx_deck import LOGO_SHAPE

    return {
        shape.image.blob
        for slide in Presentation(str(deck)).slides
        for shape in slide.shapes
        if shape.name == LOGO_SHAPE
    }


def _logo_sizes(deck: Path) -> set[tuple[int, int]]:
    """The pixel sizes of the company logos on a deck's slides."""
    from PIL import Image

    sizes = set()
    for blob in _logos(deck):
        with Image.open(io.BytesIO(blob)) as image:
            sizes.add(image.size)
    return sizes


def test_the_company_logo_on_decks_is_as_large_as_the_masters_logo_box_needs(
    previous: Path, first: Path
) -> None:
    """The built-in master's logo box is 2.6 inches wide: every deck carries the logo at
    SLOT_PPI across it, not the 1,200 pixels the portal and kits publish. A project master
    whose box is wider gets more pixels, and its decks are made again."""
    published = (1200, 267)  # the sample's SVG logo, drawn at PUBLISH_SIDE
    assert max(published) == images.PUBLISH_SIDE
    slot = images.side_for(2.6)
    assert slot == 749 < images.PUBLISH_SIDE
    decks = _decks(first)
    (site_png,) = (first / "build" / "site" / "assets" / "img").glob("northwind-*.png")
    for deck in decks:
        (size,) = _logo_sizes(deck)
        assert size[0] == slot and abs(size[1] - published[1] * slot / published[0]) <= 1
        (blob,) = _logos(deck)  # fewer bytes too: averaged, not ringing (images.shrunk)
        assert len(blob) < 0.75 * site_png.stat().st_size
    prs = Presentation(str(THEME_DIR / "deck.pptx"))
    for layout in prs.slide_layouts:
        for ph in layout.placeholders:
            if layout.name in ("Title", "Closing") and ph.placeholder_format.type == 18:
                assert round(ph.width / 914400, 2) == 2.6
                ph.width = 4 * 914400  # a wider logo box
    prs.save(str(previous / "templates" / "deck.pptx"))
    done = salesplay("build", "--only", "decks", "--as-of", AS_OF, cwd=previous)
    assert done.returncode == 0, done.stderr
    wide = images.side_for(4)
    assert wide == 1152
    for deck in decks:
        (size,) = _logo_sizes(previous / "build" / "decks" / deck.name)
        assert size[0] == wide and abs(size[1] - published[1] * wide / published[0]) <= 1


# --- decks ---------------------------------------------------------------------------


def _decks(first: Path) -> list[Path]:
    decks = sorted((first / "build" / "decks").glob("*.pptx"))
    assert decks
    return decks


def test_pitch_decks_open_on_a_title_and_show_the_path(first: Path) -> None:
    pitches = [d for d in _decks(first) if d.name.endswith("-pitch.pptx")]
    assert len(pitches) == len(list((SAMPLE / "destinations").glob("*.yaml")))
    for deck in pitches:
        layouts = [s.slide_layout.name for s in Presentation(str(deck)).slides]
        assert layouts[0] == "Title", deck.name
        assert "Path" in layouts, deck.name


def test_enablement_decks_hold_the_sections_a_rep_needs(first: Path) -> None:
    decks = [d for d in _decks(first) if d.name.endswith("-enablement.pptx")]
    assert decks
    for deck in decks:
        prs = Presentation(str(deck))
        titles = [s.shapes.title.text for s in prs.slides if s.shapes.title is not None]
        for title in ("Discovery questions", "Why us", "Jargon decoder"):
            assert title in titles, (deck.name, title)
        assert prs.slides[0].slide_layout.name == "Title"
        assert any(s.has_notes_slide and s.notes_slide.notes_text_frame.text for s in prs.slides)


# every deck opens in LibreOffice with one page per slide: tests/render/test_deck_look.py
# converts these decks (and a kit's) once for all its checks


def test_every_feed_link_names_a_file_the_build_or_the_tiers_kits_hold(first: Path) -> None:
    """Partner feeds linked `battlecards/x.pdf` "in the kit", the layout before the kit's two
    parts, and rep feeds linked the pitch of a destination the public may not see, which
    no build makes."""
    import yaml

    build = first / "build"
    tiers: dict[str, list[set[str]]] = {}
    for path in sorted((first / "plays/partners").glob("*.yaml")):
        kit = build / "kits" / f"{path.stem}.zip"
        if kit.exists():
            with zipfile.ZipFile(kit) as zf:
                top = f"{path.stem}/"
                names = {n.removeprefix(top) for n in zf.namelist()}
            tiers.setdefault(yaml.safe_load(path.read_text("utf-8"))["tier"], []).append(names)
    checked = {"build": 0, "kit": 0}
    for feed_file in sorted((build / "feed").glob("*.json")):
        feed = json.loads(feed_file.read_text("utf-8"))
        for item in [*feed["plays"], *feed["destinations"]]:
            for link in item["links"]:
                checked[link["within"]] += 1
                if link["within"] == "build":
                    assert (build / link["href"]).is_file(), (feed_file.name, link)
                    continue
                kits = tiers[feed["tier"]]
                assert kits and all(link["href"] in names for names in kits), (feed_file.name, link)
    assert checked["build"] > 50 and checked["kit"] > 20, checked
    rels = {
        link["rel"]
        for feed_file in (build / "feed").glob("partner-*.json")
        for item in json.loads(feed_file.read_text("utf-8"))["plays"]
        for link in item["links"]
    }
    assert {"battlecard-pdf", "enablement-deck", "pitch-deck"} <= rels  # the sample has no brief


def _as_a_user(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`salesplay ARGS` in a process that read-only permissions stop, as they stop a user:
    root's overrides of them dropped (CI and this machine run the tests as root)."""
    command = [str(SALESPLAY), *args]
    if os.geteuid() == 0:
        drop = "-dac_override,-dac_read_search,-fowner"
        command = ["setpriv", "--bounding-set", drop, *command]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs util-linux's setpriv")
def test_an_output_to_delete_in_a_read_only_folder_stops_the_build_before_it_writes(
    tmp_path: Path,
) -> None:
    """A partner removed, its kit's folder read-only: the build rewrote the partners' page,
    then stopped on the kit it could not delete with "internal error: PermissionError"."""
    make_catalog(tmp_path)
    families = ("--only", "kits", "--only", "partners")
    build = ("build", "--catalog", "plays", "--as-of", AS_OF, *families)
    assert _as_a_user(*build, cwd=tmp_path).returncode == 0
    kits, page = tmp_path / "build" / "kits", tmp_path / "build" / "partners" / "index.html"
    (tmp_path / "plays" / "partners" / "red-rock.yaml").unlink()
    before = page.read_bytes()
    kits.chmod(0o555)
    try:
        done = _as_a_user(*build, cwd=tmp_path)
        assert done.returncode == 1
        assert done.stderr.splitlines()[-2:] == [
            "build/kits/red-rock.zip: error: cannot delete this output of an earlier build,"
            " which no output makes now: its folder is not writable (make its folder"
            " writable, or delete it)",
            "build stopped: nothing was written",
        ]
        assert page.read_bytes() == before and (kits / "red-rock.zip").exists()
    finally:
        kits.chmod(0o755)
    done = _as_a_user(*build, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 removed" in done.stderr and not (kits / "red-rock.zip").exists()
    assert page.read_bytes() != before


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs util-linux's setpriv")
def test_a_read_only_cache_folder_costs_room_not_the_build(tmp_path: Path) -> None:
    """The kits' cache swept, or cleared by --clean, in a read-only folder: an internal
    error after every output was written, the records not kept."""
    make_catalog(tmp_path)
    build = ("build", "--catalog", "plays", "--as-of", AS_OF, "--only", "kits")
    assert _as_a_user(*build, cwd=tmp_path).returncode == 0
    cache = tmp_path / "build" / ".salesplay" / "cache"
    stale = cache / ("0" * 64 + ".blobs")
    stale.write_bytes(b"from an older build")
    cache.chmod(0o555)
    try:
        for extra in ((), ("--clean",)):
            done = _as_a_user(*build, *extra, cwd=tmp_path)
            assert done.returncode == 0, done.stderr
            assert "internal error" not in done.stderr and stale.exists()
    finally:
        cache.chmod(0o755)
