"""Keys of plans: a plan, or a part of one, is reused while what it reads is unchanged."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from salesplay.diagnostics import Diagnostic
from salesplay.engine.records import PlanMemo, PlannedOutput, Records, key_of, tree_digest
from salesplay.i18n import TRANSLATIONS_DIR
from salesplay.models import ENTITY_FOLDERS


class PlanKeys:
    """The key of every input of a plan made in one locale without some entity kinds, and
    the plans recorded under those keys (Records.plans).

    It names what the build's fingerprint names (options, catalog files, templates, what
    of git is read, the partners asked for, the catalog's diagnostics), with the catalog's
    files and diagnostics read without the folders of the entities the plan ignores, and,
    for a localized plan, without the other locales' translations. One object per build,
    used by the build for whole families' plans and by a family for a part of its plan
    (Sources.plans: the kits' per-tier members).
    """

    def __init__(
        self,
        records: Records,
        root: Path,
        out: Path,
        template_dirs: Sequence[Path],
        diagnostics: Sequence[Diagnostic],
        options: tuple[object, ...],
        git: Callable[[str], str | None],
    ) -> None:
        """`options` are what every plan reads besides files (strict, the as-of date, the
        partners asked for); `git("revision")` / `git("tags")` read the catalog's git."""
        self.records = records
        # walked as the fingerprint walks it, so that the file memo knows its paths
        self.catalog = root
        self.root = root.resolve()
        self.out = out
        self.options = options
        self.diagnostics = diagnostics
        self.templates = tree_digest(template_dirs, records.files)
        self._read_git = git
        self._git: dict[str, str | None] = {}
        self._trees: dict[frozenset[str], str] = {}

    def key(
        self,
        name: str,
        locale: str,
        locales: tuple[str, ...],
        ignores: frozenset[str],
        *,
        localized: bool = True,
        git: frozenset[str] = frozenset(),
        extra: tuple[object, ...] = (),
        skims: frozenset[str] = frozenset(),
    ) -> str:
        """The key of plan `name` made in `locale` without the entities of `ignores`, nor
        the files of those of `skims` (whose diagnostics it reads, and what `extra` says of
        them); `git` is what of git it reads, `extra` anything else it is made from."""
        skip = {ENTITY_FOLDERS[kind] for kind in ignores}
        if localized:
            skip |= {f"{TRANSLATIONS_DIR}/{other}.po" for other in locales if other != locale}
        unread = frozenset(skip | {ENTITY_FOLDERS[kind] for kind in skims})
        return key_of(
            "plan",
            name,
            locale,
            locales,
            self.options,
            str(self.root),
            str(self.out.resolve()),
            self._tree(unread),
            self.templates,
            [self._git_of(what) for what in sorted(git)],
            [d.format() for d in self.diagnostics if not self._under(d.loc.file, skip)],
            extra,
        )

    def key_of_inputs(self, name: str, locale: str, inputs: tuple[object, ...]) -> str:
        """The key of plan `name` made in `locale` from `inputs` alone (what the caller
        knows it reads, e.g. editions by their repr) besides the options, the templates and
        where the catalog and the outputs are: no catalog file is named, so an edit of what
        `inputs` leave out does not change it."""
        return key_of(
            "plan-of",
            name,
            locale,
            self.options,
            str(self.root),
            str(self.out.resolve()),
            self.templates,
            inputs,
        )

    def reused(self, name: str, key: str) -> tuple[PlannedOutput, ...] | None:
        """The outputs of plan `name` made from `key`, every one of them still the file
        that build left (Records.planned); None: plan again."""
        return self.records.planned(name, key, self.out)

    def recalled(self, name: str, key: str) -> tuple[PlannedOutput, ...] | None:
        """What plan `name` recorded when made from `key` (no output checked); None: plan
        again."""
        return self.records.recalled(name, key)

    def keep(self, name: str, key: str, outputs: Sequence[PlannedOutput]) -> None:
        """Record plan `name` as made from `key`, for the next build."""
        self.records.plans[name] = PlanMemo(key, tuple(outputs))

    def _tree(self, skip: frozenset[str]) -> str:
        # every locale's and family's plan walks the catalog: once per distinct skip
        if skip not in self._trees:
            self._trees[skip] = tree_digest([self.catalog], self.records.files, skip)
        return self._trees[skip]

    def _git_of(self, what: str) -> str | None:
        if what not in self._git:
            self._git[what] = self._read_git(what)
        return self._git[what]

    def _under(self, file: Path, skip: set[str]) -> bool:
        try:
            rel = Path(file).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return False
        return any(rel == s or rel.startswith(s + "/") for s in skip)
