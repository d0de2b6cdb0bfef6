"""A catalog's git history: revisions and release tags, a revision's catalog checked.

A revision is read straight from git's object store with the git CLI (`ls-tree`, `cat-file
--batch`) into a temporary folder outside the project, then loaded and resolved by the same
pipeline as a build.

Why the CLI and not a library: git is already what the catalog's revision comes from
(`write.git_revision`), it reads every repository the user's own git reads (SHA-256 object
format, reftable, worktrees, alternates, partial clones), honours no `.gitattributes`
export filters when reading blobs, needs no new native dependency, and `ls-tree`/`cat-file`
read objects without touching the work tree or the index.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from salesplay.context import FIRST_DATE, LAST_DATE, Context, UsageError
from salesplay.diagnostics import Diagnostic
from salesplay.imagecache import ImageCache
from salesplay.resolve import Catalog
from salesplay.write import git_env, run_git

#: what an unknown revision is told in a shallow clone
SHALLOW_HINT = (
    "; this clone is shallow and holds no earlier commit: `git fetch --unshallow --tags`"
    " (in CI, check out with the whole history: `fetch-depth: 0`)"
)


@dataclass(frozen=True)
class Side:
    """One revision: as given, as resolved, and the day its staleness is judged at."""

    given: str
    commit: str
    as_of: dt.date

    def as_dict(self) -> dict[str, object]:
        return {"rev": self.given, "commit": self.commit, "as_of": self.as_of.isoformat()}


class SideFault(Exception):
    """A revision whose catalog does not check clean: its diagnostics, already formatted."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """write.run_git (read-only, no prompt, literal paths), its faults as UsageError."""
    try:
        return run_git(cwd, *args, timeout=120)
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {args[0]} took over 120 s; is the repository busy?") from None
    except OSError as e:
        raise UsageError(_no_git(e)) from None


def _no_git(e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return "changes needs git, which is not installed"
    return f"changes cannot run git: {e.strerror or e}"


@dataclass(frozen=True)
class Repo:
    """The git repository holding the catalog, and the catalog's folder inside it."""

    top: Path
    prefix: str  # "plays/" (empty when the catalog is the repository's top folder)

    @classmethod
    def of(cls, catalog: Path) -> Repo:
        """The repository of `catalog` (UsageError outside git)."""
        done = _git(catalog, "rev-parse", "--show-toplevel", "--show-prefix")
        lines = done.stdout.decode("utf-8", "replace").splitlines()
        if done.returncode != 0 or not lines:
            raise UsageError(
                f"catalog '{catalog}' is not in a git repository: changes reads the catalog's"
                " history from git"
            )
        return cls(Path(lines[0]), lines[1] if len(lines) > 1 else "")

    def commit(self, rev: str) -> str:
        """The commit a revision names (UsageError for one git does not know)."""
        if rev.startswith("-") or not rev.strip():
            raise UsageError(f"'{rev}' is not a revision")
        done = _git(
            self.top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"
        )
        if done.returncode != 0:
            raise UsageError(
                f"unknown revision '{rev}' (a tag, branch or commit of {self.top})"
                + (SHALLOW_HINT if self.shallow() else "")
            )
        return done.stdout.decode().strip()

    def is_ancestor(self, older: str, newer: str) -> bool:
        """Whether commit `older` is in `newer`'s history (the same commit is)."""
        done = _git(self.top, "merge-base", "--is-ancestor", older, newer)
        return done.returncode == 0

    def shallow(self) -> bool:
        """Whether the repository is a shallow clone (CI's default, `--depth 1`): it holds
        no earlier commit, so no release or revision before its tip."""
        done = _git(self.top, "rev-parse", "--is-shallow-repository")
        return done.stdout.decode().strip() == "true"

    def uncommitted(self) -> list[str]:
        """The catalog's files whose work-tree state HEAD does not hold (edited, added,
        removed or untracked), as the repository names them; hidden files left out, as the
        loader leaves them."""
        done = _git(
            self.top, "status", "--porcelain", "-z", "--untracked-files=all", "--",
            self.prefix or ".",
        )  # fmt: skip
        if done.returncode != 0:
            return []
        found: list[str] = []
        records = iter(done.stdout.split(b"\0"))
        for record in records:
            if len(record) < 4:
                continue
            if record[:1] in (b"R", b"C"):
                next(records, None)  # a rename's old name follows it
            name = record[3:].decode("utf-8", "replace")
            if _read_by_loader(PurePosixPath(name).relative_to(self.prefix or ".")):
                found.append(name)
        return found

    def date(self, commit: str) -> dt.date:
        """The commit's committer date (UTC), within the dates every output can carry."""
        done = _git(self.top, "show", "-s", "--format=%ct", commit)
        day = dt.datetime.fromtimestamp(int(done.stdout.strip() or 0), tz=dt.UTC).date()
        return min(max(day, FIRST_DATE), LAST_DATE)

    def extract(self, commit: str, dest: Path, named: str = "") -> None:
        """Write the catalog folder of `commit` under `dest` (the work tree is never read)."""
        listing = _git(
            self.top, "ls-tree", "-r", "-z", "--full-tree", commit, "--", self.prefix or "."
        )
        if listing.returncode != 0:
            raise UsageError(f"cannot list {commit[:12]}: {listing.stderr.decode().strip()}")
        entries = []
        for record in listing.stdout.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, kind, oid = meta.decode().split()
            if kind != "blob":
                continue  # submodules are not catalog files
            rel = _inside(raw_path.decode("utf-8", "surrogateescape"), self.prefix)
            if rel is not None:
                entries.append((mode, oid, rel))
        if not entries:
            where = self.prefix.rstrip("/") or "the repository"
            first = (
                _git(
                    self.top, "log", "--reverse", "--format=%h", "--", f"{self.prefix}catalog.yaml"
                )
                .stdout.decode()
                .split()
            )
            since = (
                f" (its catalog.yaml is first in {first[0]}: a revision since then)"
                if first
                else ""
            )
            raise UsageError(f"'{where}' holds no catalog at {named or commit[:12]}{since}")
        blobs = _cat_blobs(self.top, [oid for _, oid, _ in entries])
        links = []
        current = PurePosixPath()
        try:
            for mode, oid, rel in entries:
                current, target = rel, dest.joinpath(*rel.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                if mode == "120000":
                    links.append((target, blobs[oid], rel))
                    continue
                with open(target, "xb") as fh:  # never through an existing name
                    fh.write(blobs[oid])
            # links last, so no file is ever written through one; the loader judges where
            # they lead
            for target, link, current in links:  # noqa: B007 (named in the error below)
                target.symlink_to(link.decode("utf-8", "surrogateescape"))
        except OSError as exc:
            # a name this file system cannot hold (too long, say): that revision cannot be read
            name = str(current) if len(str(current)) <= 80 else f"{str(current)[:77]}…"
            raise UsageError(
                f"cannot read {commit[:12]}: its file '{name}' cannot be written here:"
                f" {exc.strerror or exc}"
            ) from None


def _read_by_loader(rel: PurePosixPath) -> bool:
    """Whether the catalog's file `rel` is one the loader may read: a YAML file, a
    translation file, a file under assets/ (a logo); never a hidden one, nor a note, an
    editor's backup or a build folder's output kept inside the catalog."""
    if any(part.startswith(".") for part in rel.parts):
        return False
    if rel.parts[:1] == ("assets",):
        return True
    return rel.suffix in (".yaml", ".yml") or (
        rel.parts[:1] == ("translations",) and rel.suffix == ".po"
    )


def _inside(path: str, prefix: str) -> PurePosixPath | None:
    """The path relative to the catalog folder; None for anything odd (git refuses such
    paths, but a crafted tree is still data, not a place to write)."""
    if prefix and not path.startswith(prefix):
        return None
    rel = PurePosixPath(path[len(prefix) :])
    if rel.is_absolute() or not rel.parts or any(p in ("", ".", "..", ".git") for p in rel.parts):
        return None
    return rel


#: past this, a blob is written cut to one byte more: every size limit of the loader (2 MB a
#: YAML file, 5 MB an asset) still refuses it, and a huge file in history cannot exhaust memory.
BLOB_CAP = 16 * 1024 * 1024


def _cat_blobs(top: Path, oids: Sequence[str]) -> dict[str, bytes]:
    """The contents of blobs, one at a time through `git cat-file --batch` (it answers each
    request before reading the next, so neither pipe can fill up)."""
    wanted = list(dict.fromkeys(oids))
    blobs: dict[str, bytes] = {}
    try:
        proc = subprocess.Popen(
            ["git", "-C", str(top), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=git_env(),
        )
    except OSError as e:
        raise UsageError(_no_git(e)) from None
    assert proc.stdin is not None and proc.stdout is not None
    with proc:
        for oid in wanted:
            proc.stdin.write(f"{oid}\n".encode())
            proc.stdin.flush()
            header = proc.stdout.readline().decode().split()
            if len(header) != 3 or not header[2].isdigit():
                raise UsageError(f"git cannot read object {oid}")
            size = int(header[2])
            kept = proc.stdout.read(min(size, BLOB_CAP + 1))
            left = size - len(kept)
            while left > 0:  # the rest of an oversized blob is read and dropped
                chunk = proc.stdout.read(min(left, 1 << 20))
                if not chunk:
                    raise UsageError(f"git stopped while reading object {oid}")
                left -= len(chunk)
            proc.stdout.read(1)  # the newline after each object
            blobs[oid] = kept
        proc.stdin.close()
    return blobs


def load_revision(
    repo: Repo, side: Side, folder: Path, images: ImageCache | None = None
) -> Catalog:
    """Extract, check and resolve one revision's catalog (SideFault on any error).

    `images` lends a build's decoded logos (by content digest), so an unchanged logo is not
    rasterised again for every revision.
    """
    from salesplay.pipeline import check_catalog

    root = folder / (Path(repo.prefix).name or "catalog")
    root.mkdir(parents=True)
    repo.extract(side.commit, root, side.given)
    ctx = Context(catalog=root, as_of=side.as_of)
    if images is not None:
        ctx.images = images
    cat = check_catalog(ctx)
    if cat is None or ctx.reporter.has_errors():
        errors = [d for d in ctx.reporter.sorted() if d.severity.value == "error"]
        raise SideFault([f"{side.given}:{_where(d, folder, repo)}" for d in errors])
    return cat


def _where(diag: Diagnostic, folder: Path, repo: Repo) -> str:
    # the error as it reads in the repository at that revision: "v1:plays/x.yaml:3:1: …"
    line = diag.format(folder)
    name = Path(repo.prefix).name or "catalog"  # the folder load_revision extracted into
    return line.replace(f"{name}/", repo.prefix, 1) if line.startswith(f"{name}/") else line


@dataclass(frozen=True)
class Release:
    """A git tag that marks a release: its name, commit and date."""

    tag: str
    commit: str
    date: dt.date


def releases(repo: Repo, pattern: str) -> list[Release]:
    """Tags matching `pattern` (a glob under refs/tags/), oldest first: in the order of their
    commits' dates, then of their names as versions. By the tags' own dates and names as
    strings, v1.10 tagged in the same second as v1.9 came before it ("1 change since
    v1.10"), and a tag added later to an old commit came last."""
    fields = (
        *("refname:strip=2", "objectname", "*objectname"),
        *("committerdate:unix", "*committerdate:unix"),
    )
    fmt = "%00".join(f"%({field})" for field in fields)
    done = _git(repo.top, "for-each-ref", f"--format={fmt}", f"refs/tags/{pattern}")
    found = []
    # one record a line, split on "\n" alone: str.splitlines() also splits on U+2028, U+0085
    # and the like, which a tag's name may hold
    for line in done.stdout.decode("utf-8", "replace").split("\n"):
        parts = line.split("\0")
        if len(parts) != len(fields):
            continue
        tag, obj, peeled, committed, peeled_committed = parts
        commit = peeled or obj
        when = peeled_committed or committed  # the commit's date, for a tag object or not
        if not when.strip().isdigit() and peeled:
            # a tag of a tag (`%(*…)` peels one level): the commit it ends at, and its date
            commit, when = _peel(repo, f"refs/tags/{tag}")
        if not when.strip().isdigit():
            continue  # a tag of a tree or a blob is no release
        # a release is judged (staleness) and dated at its commit's date, like `changes
        # --since`, never at the tag's: a tag made later on an old commit took a later day
        # than the releases after it ("Claim withdrawn", then "New claim" one release on)
        day = dt.datetime.fromtimestamp(int(when), tz=dt.UTC).date()
        order = (int(when), _version_key(tag))
        found.append((order, Release(tag, commit, min(max(day, FIRST_DATE), LAST_DATE))))
    return [release for _, release in sorted(found, key=lambda item: item[0])]


def _peel(repo: Repo, ref: str) -> tuple[str, str]:
    """The commit a tag ends at through any number of tag objects, and its committer date
    ("" for both when it ends at no commit)."""
    done = _git(repo.top, "log", "-1", "--no-walk", "--format=%H %ct", f"{ref}^{{commit}}", "--")
    parts = done.stdout.decode().split() if done.returncode == 0 else []
    return (parts[0], parts[1]) if len(parts) == 2 else ("", "")


def _version_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """A tag's name ordered as a version: its runs of digits as numbers (v1.9 before v1.10)."""
    return tuple(
        (0, int(run)) if run.isdigit() else (1, run) for run in re.findall(r"\d+|\D+", name)
    )
