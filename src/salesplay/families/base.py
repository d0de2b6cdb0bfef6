"""What an output family is, and the named inputs every family plans its units from."""

from __future__ import annotations

import fnmatch
import functools
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from salesplay import jsonfile
from salesplay.diagnostics import Diagnostic, Location, Severity
from salesplay.edition import Editions
from salesplay.engine import reads
from salesplay.engine.plans import PlanKeys
from salesplay.engine.reads import Pages
from salesplay.engine.records import PageKey, file_digest, key_of, placeless, tree_digest
from salesplay.engine.units import Kept, Made, Unit, Workshop
from salesplay.faults import BuildFault, Subject
from salesplay.labels import Labels
from salesplay.locales import Language, delocalized, languages, localized_path
from salesplay.models import Audience
from salesplay.render.loads import Loads
from salesplay.render.templates import THEME_DIR, TemplateFault, template_dirs, theme_file
from salesplay.render.theme import linted_sheets
from salesplay.resolve import Catalog
from salesplay.views import Edition

if TYPE_CHECKING:
    from salesplay.render.pdf import RenderJob


@dataclass
class Sources:
    """The named inputs of a build that families read; never the build itself."""

    cat: Catalog
    editions: Mapping[str, Edition]
    templates: Path | None
    env: jinja2.Environment
    #: the catalog's diagnostics (the reports family shows them).
    diagnostics: Sequence[Diagnostic]
    out: Path
    progress: Callable[[str], None] = field(default=lambda _m: None)
    #: the partners whose kits are wanted (None: every partner).
    partners: Sequence[str] | None = None
    #: the built-in labels of the locale this plan is made in; `cat` and `editions` are
    #: already in that locale (localize.localized).
    labels: Labels = field(default_factory=Labels)
    #: the catalog's source locale, then its other locales: every locale a build makes.
    locales: tuple[str, ...] = ("en",)
    #: the keys of plans and the plans recorded under them (engine.plans), for a family
    #: that reuses a part of its plan while what that part reads is unchanged (the kits'
    #: per-tier members); None: plan everything (a clean plan, `check --templates`).
    plans: PlanKeys | None = None
    #: a `--clean` build: nothing an earlier build left is reused (records, the kit cache,
    #: previous kits' members).
    clean: bool = False
    #: pages rendered by earlier builds of this process, with what each read (engine.reads,
    #: memo.Memo.pages); None: render every page.
    pages: Pages | None = None
    #: where a family extracts the catalog at an earlier revision (scratch); None: the
    #: build's scratch folder under `out` (`check --templates` writes nothing there)
    scratch_at: Path | None = None
    #: in a partial clone, what objects it holds (write.git_objects), else None: part of
    #: every key that names the releases, asked of git once a plan
    git_objects: str | None = None
    #: the catalog's repository is a shallow clone (write.git_shallow): What's new says its
    #: history is not in this copy, where it said no release had been made
    shallow: bool = False
    #: what runs once the build is whole, every output written for good (Context.when_whole):
    #: the cache files a plan or a preparation keeps (`keep`), so that a build that stops,
    #: in any stage, leaves build/ as it was; None: a reading command (`check --templates`),
    #: which writes nothing in --out
    when_whole: list[Callable[[], None]] | None = None
    #: the digests of each edition's entries (engine.reads), by the edition's identity,
    #: made once a plan: its PDF pages ask whether what they read changed (pdf_page)
    _digests: dict[int, tuple[Edition, reads.Digests[Edition]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    #: what each path a page may load is in a key (Sources._resource), asked once a plan
    _served: dict[str, tuple[str, str | None, str | None]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def digests(self, edition: Edition) -> reads.Digests[Edition]:
        """The digests of `edition`'s entries, computed once each for this plan."""
        found = self._digests.get(id(edition))
        if found is None:
            # the edition is kept with its digests, so that its id is never another's
            found = self._digests[id(edition)] = (edition, reads.Digests(edition))
        return found[1]

    @property
    def locale(self) -> str:
        return self.labels.locale

    def keep(self, rel: str, data: bytes, *, durable: bool = True) -> None:
        """Keep the cache file `rel` under --out once the build is whole (`when_whole`): a
        plan's cache written at once was left by a build that then stopped ("nothing was
        written"), and written by `check --templates`, which keeps none; one written with
        the first output was left by a build stopped by a kit."""
        from salesplay.cachefiles import store

        if self.when_whole is not None:
            self.when_whole.append(functools.partial(store, self.out, rel, data, durable=durable))

    def keep_blobs(self, rel: str, blobs: Sequence[bytes]) -> None:
        """`keep` for a cache file of blobs (cachefiles.store_blobs): joined into one file
        only when it is written, so that blobs the build holds anyway (a kit's cards) are
        not copied while it runs."""
        from salesplay.cachefiles import store_blobs

        if self.when_whole is not None:
            self.when_whole.append(functools.partial(store_blobs, self.out, rel, blobs))

    def languages(self, rel: str) -> tuple[Language, ...]:
        """The language switcher of the web page `rel` (its source-locale path) of this plan."""
        return languages(rel, self.locale, self.locales)

    @property
    def translated(self) -> bool:
        """Whether this plan is of a locale other than the source locale."""
        return self.locale != self.locales[0]

    @functools.cached_property
    def template_dirs(self) -> tuple[Path, ...]:
        return tuple(template_dirs(self.templates))

    @functools.cached_property
    def html_overrides(self) -> bool:
        """Whether the project overrides a template (the theme's pages nest about 20 deep,
        and catalog Markdown at most 20 more: only an override can nest a page too deep)."""
        folder = self.templates
        return folder is not None and folder.is_dir() and any(folder.rglob("*.html"))

    @functools.cached_property
    def linted_sheets(self) -> tuple[Path, ...]:
        """The project's print sheets, whose refused fetches the lint reports once."""
        return linted_sheets(self.templates)

    @functools.cached_property
    def pdf_roots(self) -> tuple[Path, ...]:
        """Where a PDF may load files from: the catalog's assets and the template folders.

        Resolved, as the fetcher resolves them anyway: a key names them the same whichever
        way --catalog was spelled."""
        return tuple(p.resolve() for p in (self.cat.root / "assets", *self.template_dirs))

    @functools.cached_property
    def resource_tree(self) -> str:
        """Digest of every file a PDF could load (assets, templates, theme, fonts): coarser
        than what any page loads, for a plan reused whole while it is the same (the kits'
        members), whose pages' own keys are then recalled, not made."""
        return self.tree(self.pdf_roots)

    @functools.cached_property
    def theme_tree(self) -> str:
        """Digest of every file of the template folders, the project's and the built-in
        theme: what a unit made from templates read in ways no key of its own names (a kit's
        index page) is made from."""
        return self.tree(self.template_dirs)

    @functools.cached_property
    def loads(self) -> Loads:
        """What PDF pages of this plan may load (render.loads): each sheet read once."""
        return Loads(self.pdf_roots)

    def resources(self, asked: Iterable[str]) -> str:
        """Digest of what the fetcher serves now for each path a page may ask for
        (Loads.of_page): where it is and its bytes, or that nothing is served. Only those:
        a partner's logo added to assets/, or a README to templates/, remade every PDF
        when this was the digest of every file a PDF could load."""
        return key_of("loads", sorted(map(self._resource, asked), key=repr))

    def _resource(self, path: str) -> tuple[str, str | None, str | None]:
        """What `path` is in a key: its name, the name of the file served for it and that
        file's digest; asked once a plan for each path (one Sources a plan)."""
        found = self._served.get(path)
        if found is None:
            places = self.pdf_roots
            served = self.loads.served(path)
            memo = None if self.plans is None else self.plans.records.files
            found = self._served[path] = (
                placed_name(path, places),
                None if served is None else placed_name(str(served), places),
                None if served is None else file_digest(served, memo).hex(),
            )
        return found

    def tree(self, roots: Sequence[Path], skip: Iterable[str] = ()) -> str:
        """tree_digest of `roots` (less `skip`, names under each root), not reading again
        the files whose stat has not moved since the last build (the records' file memo;
        every file without records)."""
        memo = None if self.plans is None else self.plans.records.files
        return tree_digest(roots, memo, skip)

    def theme_file(self, name: str) -> Path:
        """A theme file, the project's override first."""
        return theme_file(self.templates, name)

    def without(self, kinds: frozenset[str]) -> Sources:
        """These sources without the entities of `kinds` (Family.ignores): a family that says
        it never reads partners is not given them, so that a plan reused while only those
        entities changed is the plan it would make."""
        if not kinds:
            return self
        if kinds - {"partner"}:
            raise ValueError(f"only partners can be left out of a plan, not {sorted(kinds)}")
        cat = replace(
            self.cat,
            partners={},
            docs={k: d for k, d in self.cat.docs.items() if k[0] != "partner"},
        )
        editions = Editions(lambda a: replace(self.editions[a], partners={}), tuple(self.editions))
        return replace(self, cat=cat, editions=editions)


@dataclass(frozen=True)
class Row:
    """One row of the README's "What you get" table (families.readme_table writes it)."""

    #: the outputs as a reader names them (`build/battlecards/<play>.pdf`)
    output: str
    #: the editions they are made from, as a reader names them
    audience: str
    #: what they are for; "": the family's description
    what: str = ""


@dataclass(frozen=True)
class Family:
    """One kind of output: its `--only` name, its edition, the paths it owns, its planner.

    `plan` turns the sources into units, one per output, each with the key of what it is
    made from; rendering text (Jinja) happens there, heavy work (PDF, PPTX, zip) in each
    unit's make. Families never import the build.
    """

    name: str
    #: what it is for, as the README's table says it (Row.what).
    description: str
    #: output paths it owns (glob patterns relative to --out), each with the audience of the
    #: edition it is made from (None: the marketers' own outputs, which show everything).
    outputs: tuple[tuple[str, Audience | None], ...]
    #: its units, which may come one at a time (a generator): each long one starts as soon
    #: as it is planned (engine.early).
    plan: Callable[[Sources], Iterable[Unit]]
    #: shown by `salesplay serve` (the rep portal and what it links to).
    served: bool = False
    #: served first on a save (pages reps read: a served family with a rep output), the
    #: others follow in the background (PDFs, decks).
    quick: bool = False
    #: outputs made from every diagnostic of the build, render warnings included, once the
    #: other units are made (reports/check.json); their paths are in `outputs` like any other.
    #: Given the project's folder (the catalog's parent), which a file is named from.
    finish: Callable[[Sequence[Diagnostic], Path], list[Unit]] | None = None
    #: what of git its outputs read beyond the catalog's files: "revision" (HEAD, and
    #: whether the work tree is dirty) and/or "tags" (release tags). The no-change check
    #: asks git for them only when a wanted family reads them.
    git: frozenset[str] = frozenset()

    #: made once per locale of the catalog (locale-qualified paths for all but the source
    #: locale); False: made in the source locale only (the marketers' reports, the feeds).
    localized: bool = True
    #: what its long units (engine.early) import before they can start (WeasyPrint), done by
    #: a standby process while the build checks the catalog and plans; None: none.
    warm: Callable[[], None] | None = None
    #: entity kinds whose documents its outputs never read ("partner": everything but the
    #: kits and the marketers' reports). The family is not given them (Sources.without), and
    #: a build in which only such documents changed reuses its last plan instead of planning
    #: it again.
    ignores: frozenset[str] = frozenset()
    #: entity kinds of which it reads only what `skimmed` makes of the sources, and their
    #: diagnostics (the marketers' report: who the partners are and their tiers). A build in
    #: which only such documents changed, and not what `skimmed` makes of them, reuses its
    #: last plan (a partner's new contact plans no report).
    skims: frozenset[str] = frozenset()
    skimmed: Callable[[Sources], object] | None = None
    #: its rows in the README's "What you get" table; none: one row of its `outputs` globs,
    #: their audiences and its description
    rows: tuple[Row, ...] = ()

    def __post_init__(self) -> None:
        # serve hurries a quick family's pages so that a rep's page reloads first: one
        # that shows reps nothing would be a build the user waits for in vain
        if self.quick and not (self.served and any(a == "rep" for _, a in self.outputs)):
            raise ValueError(f"family {self.name!r}: a quick family is served and makes rep pages")

    def table_rows(self) -> list[str]:
        """Its rows of the README's "What you get" table, in Markdown."""
        rows = self.rows or (
            Row(
                ", ".join(f"`build/{pattern}`" for pattern, _ in self.outputs),
                ", ".join(dict.fromkeys(audience or "—" for _, audience in self.outputs)),
            ),
        )
        return [
            f"| `{self.name}` | {row.output} | {row.audience} | {row.what or self.description} |"
            for row in rows
        ]

    def owns(self, rel: str) -> bool:
        """Whether the output path `rel` (of any locale) belongs to this family."""
        rel, locale = delocalized(rel)
        if locale is not None and not self.localized:
            return False
        return self._patterns.match(rel) is not None

    @functools.cached_property
    def _patterns(self) -> re.Pattern[str]:
        # one pattern for all its globs: every build asks of every output who owns it
        return re.compile("|".join(fnmatch.translate(pattern) for pattern, _ in self.outputs))

    def audience_of(self, rel: str) -> Audience | None:
        """The audience an output of this family is made for (None: marketers); a
        translated output is made for the audience of its source-locale path."""
        rel = delocalized(rel)[0]
        for pattern, audience in self.outputs:
            if fnmatch.fnmatchcase(rel, pattern):
                return audience
        raise KeyError(rel)


def page_unit(family: str, rel: str, data: str | bytes, subject: Subject | None = None) -> Unit:
    """A light unit whose bytes are already made (HTML, JSON, a copied file)."""
    raw = data.encode() if isinstance(data, str) else data
    return Unit(rel, family, key_of("page", raw), data=raw, subject=subject)


def guarded(where: Path, fn: Callable[..., str], *args: object, **kwargs: object) -> str:
    """A template render whose fault is a located BuildFault (template file and line)."""
    try:
        return fn(*args, **kwargs)
    except TemplateFault as exc:
        raise BuildFault.of(exc, where) from None


def pdf_unit(
    src: Sources,
    family: str,
    rel: str,
    page: str,
    title: str,
    *,
    subject: Subject | None = None,
    check: PageBudget | None = None,
    chapters: bool = False,
    resources: str | None = None,
) -> Unit:
    """A PDF made from an HTML page; `check` adds warnings about the PDF made; `chapters`
    renders it chapter by chapter, its parts kept between builds (PartStore). `resources`:
    the digest of what the page may load (Sources.resources), when the caller has it.

    A resource the page asked for and the fetcher refused is a warning at the output: the
    page is made from templates and catalog text together, and which of them named the
    URL is not known once it is HTML.
    """
    _check_spans(page, src.out / rel, src.templates)
    if src.html_overrides:
        _check_depth(page, src.out / rel)
        _check_lengths(page, src.out / rel, src.templates)
    job = replace(_job(src, page, title), chapters=chapters)
    if resources is None:
        resources = src.resources(src.loads.of_page(page, job.base_url, job.stylesheets))
    # the job names the page, base URL, roots, date, title and options (its folders by rank,
    # so that a moved project keeps its records); the digest the files the page may load;
    # and where its page-budget warning is located: a warning is kept with the record
    key = key_of(
        "pdf", placeless(job, (*src.pdf_roots, THEME_DIR)), resources, warned_at(src, check)
    )
    parts = PartStore.of(src, rel, job, resources) if chapters else None
    make = PdfMake(job, Location(src.out / rel, 0, 0), subject, check, parts)
    # WeasyPrint's time grows with the page's text: a 30-page playbook starts first
    cost = 0.3 + len(page) / 40_000
    return Unit(rel, family, key, make=make, subject=subject, warm=warm_pdf, cost=cost)


#: the columns a table cell may span: HTML's limit (browsers clamp to it), past which
#: WeasyPrint lays out every column it is told of, for hours
MAX_COLSPAN = 1000
_COLSPAN = re.compile(r"""\bcolspan\s*=\s*["']?\s*\+?(\d+)""", re.IGNORECASE)


def _check_spans(page: str, where: Path, templates: Path | None) -> None:
    """A fault for a cell of the page that spans more columns than HTML allows (a template's
    `colspan`), at the project template that writes it, else at the output: found while
    planning, so by `check --templates` too."""
    for found in _COLSPAN.finditer(page):
        span = int(found.group(1))
        if span > MAX_COLSPAN:
            raise BuildFault(
                _written_at(templates, span) or Location(where, 0, 0),
                f"a table cell spans {span:,} columns; HTML allows at most {MAX_COLSPAN:,}",
            )


#: how deep a printed page's elements may nest: WeasyPrint's layout recurses per level and
#: stops (RecursionError) between 130 and 160 levels; the theme's pages nest about 20
MAX_DEPTH = 128
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)[^>]*?(/?)>")
#: HTML's void elements, which never close
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)


def _check_depth(page: str, where: Path) -> None:
    """A fault for a page whose elements nest deeper than a PDF can be laid out (a template's
    recursive macro, or tags opened in a loop and never closed): found while planning, so by
    `check --templates` too, where the build stopped late, in a worker, on WeasyPrint's
    RecursionError."""
    depth = deepest = 0
    for close, name, closed in _TAG.findall(page):
        if closed or name.lower() in _VOID:
            continue
        if close:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise BuildFault(
            Location(where, 0, 0),
            f"the page's elements nest {deepest} deep; a PDF is laid out at most {MAX_DEPTH}"
            " deep: a template's macro calls itself, or opens tags in a loop and never"
            " closes them",
        )


#: a page's own CSS: its <style> elements, and its style attributes
_PAGE_CSS = re.compile(
    r"""<style\b[^>]*>(.*?)</style\s*>|\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')""",
    re.IGNORECASE | re.DOTALL,
)
#: a stylesheet a printed page links by its file:// address (`links.theme` in a template)
_LINKED_SHEET = re.compile(r"""<link\b[^>]*?\bhref\s*=\s*["'](file://[^"']+?\.css)["']""", re.I)


def _check_lengths(page: str, where: Path, templates: Path | None) -> None:
    """A fault for a length past csslint.MAX_PIXELS (`font-size: 1e9px`) in the page's own
    CSS (a `<style>` or `style` attribute a template writes), at the project template that
    writes it, or in a project sheet the page links, at its line: it stopped WeasyPrint in a
    worker ("ZeroDivisionError"), late in a build; the print sheets' lint found it only in
    fonts.css, style.css, print.css and what they import. Found while planning, so by
    `check --templates` too."""
    import html
    import urllib.parse

    from salesplay.render.csslint import huge_length_places, huge_length_said

    for found in _PAGE_CSS.finditer(page):
        # a style attribute's declarations, read as a rule's (alone they are no stylesheet)
        css = (
            found[1]
            if found[1] is not None
            else f"*{{{html.unescape(found[2] or found[3] or '')}}}"
        )
        for _line, _column, written in sorted(huge_length_places(css))[:1]:
            loc = _literal_at(templates, written) or Location(where, 0, 0)
            raise BuildFault(loc, huge_length_said(written))
    if templates is None:
        return
    folder = templates.resolve()
    for link in dict.fromkeys(_LINKED_SHEET.findall(page)):
        sheet = Path(urllib.parse.unquote(urllib.parse.urlsplit(link).path))
        if sheet.is_relative_to(folder) and sheet.is_file():
            huge = _sheet_lengths(sheet, sheet.stat().st_mtime_ns)
            if huge:
                raise BuildFault(huge[0].loc, huge[0].message)


@functools.lru_cache(maxsize=64)
def _sheet_lengths(sheet: Path, _mtime_ns: int) -> list[Diagnostic]:
    """csslint.huge_lengths of a project sheet, once a version (every page links it)."""
    from salesplay.render.csslint import huge_lengths

    return huge_lengths(sheet, sheet.read_text(encoding="utf-8", errors="replace"))


def _literal_at(templates: Path | None, written: str) -> Location | None:
    """Where a project template writes `written`, if one does as written."""
    from salesplay.render.templates import project_sources

    for _name, path, text in project_sources(templates):
        at = text.find(written)
        if at >= 0:
            return Location(path, text.count("\n", 0, at) + 1, 0)
    return None


def _written_at(templates: Path | None, span: int) -> Location | None:
    """Where a project template writes `colspan` with this span, if one does as written."""
    from salesplay.render.templates import project_sources

    for _name, path, text in project_sources(templates):
        for found in _COLSPAN.finditer(text):
            if int(found.group(1)) == span:
                # a template fault's place is its line, as Jinja's are
                return Location(path, text.count("\n", 0, found.start()) + 1, 0)
    return None


def pdf_page(
    src: Sources,
    family: str,
    rel: str,
    edition: Edition,
    render: Callable[[Edition], str],
    title: str,
    *,
    where: Path,
    subject: Subject | None = None,
    check: PageBudget | None = None,
    chapters: bool = False,
) -> Unit:
    """A PDF made from the page `render(edition)` renders (its faults located at `where`),
    as pdf_unit makes it; the page is rendered only when something it read changed.

    The build records what each page read of its edition (engine.reads) with the key of
    the PDF it made (Records.pages). While those entries, the output path, the templates,
    the locale, the render job (date, title, fonts and assets) and salesplay's code are the
    same, the PDF's key is the recorded one and the page is not rendered to plan it: an
    edit renders the pages that show it, not every page of the build. The page is rendered
    only if the PDF is made after all (its file was removed or changed).
    Without records (a plan of `check`, a first build) or with `--clean`, every page is
    rendered, as before. What `render` is given besides the edition (an id, links, the
    medium; page_of binds them) must follow from the output path.
    """
    if src.plans is None:
        page = guarded(where, render, edition)
        return pdf_unit(
            src, family, rel, page, title, subject=subject, check=check, chapters=chapters
        )
    shell = replace(_job(src, "", title), chapters=chapters)
    digests = src.digests(edition)
    name = f"{family}:{rel}@{src.locale}"
    places = (*src.pdf_roots, THEME_DIR)

    def made_of(resources: str) -> tuple[object, ...]:
        # the files the page loads are those its last render named (PageKey.loads): while
        # what it reads and the templates are the same, it names the same ones
        pdf = key_of("pdf", placeless(shell, places), resources)
        templates = src.plans.templates if src.plans else None
        return (family, rel, src.locale, templates, pdf, warned_at(src, check))

    records = src.plans.records
    kept = None if src.clean else records.pages.get(name)
    placed = None if kept is None else _placed(kept.loads, src.pdf_roots)
    if kept is not None and placed is not None:
        resources = src.resources(placed)
        if kept.key == digests.key(kept.reads, made_of(resources)):
            late = LatePdfMake(
                functools.partial(guarded, where, render, edition),
                shell,
                Location(src.out / rel, 0, 0),
                subject,
                check,
                PartStore.of(src, rel, shell, resources) if chapters else None,
            )
            return Unit(
                rel, family, kept.unit, make=late, subject=subject, warm=warm_pdf, cost=kept.cost
            )
    seen: set[reads.Read] = set()
    page = guarded(where, render, reads.watched(edition, seen))
    loads = src.loads.of_page(page, shell.base_url, shell.stylesheets)
    resources = src.resources(loads)
    unit = pdf_unit(
        src, family, rel, page, title, subject=subject, check=check, chapters=chapters,
        resources=resources,
    )  # fmt: skip
    read = frozenset(seen)
    key = digests.key(read, made_of(resources))
    named = tuple(sorted(placed_name(path, src.pdf_roots) for path in loads))
    records.pages[name] = PageKey(rel, read, key, unit.key, unit.cost, named)
    return unit


def placed_name(path: str, places: Sequence[Path]) -> str:
    """The path `path` named by the rank of the folder of `places` (resolved, as
    Sources.pdf_roots are) it is in, as placeless() names folders: a moved project keeps its
    records. A path in none is named as it is."""
    for rank, place in sorted(enumerate(places), key=lambda rp: -len(str(rp[1]))):
        folder = str(place)
        if path == folder or path.startswith(folder + "/"):
            return f"<place {rank}>{path[len(folder) :]}"
    return path


def _placed(named: Iterable[str], places: Sequence[Path]) -> list[str] | None:
    """Paths named by placed_name() back where `places` are now; None if a name's folder
    is not among them (the project's templates folder was removed since: one place fewer),
    and the page is then rendered again, as without its record."""
    found = []
    for name in named:
        if name.startswith("<place "):
            rank, _, rest = name.removeprefix("<place ").partition(">")
            if not rank.isdigit() or int(rank) >= len(places):
                return None
            name = str(places[int(rank)]) + rest
        found.append(name)
    return found


def page_of(
    fn: Callable[..., str], env: jinja2.Environment, *args: object, **kwargs: object
) -> Callable[[Edition], str]:
    """The page `fn(env, edition, *args, **kwargs)` renders, as a function of the edition
    (pdf_page renders it from an edition that notes what is read of it)."""

    def render(edition: Edition) -> str:
        return fn(env, edition, *args, **kwargs)

    return render


def _job(src: Sources, page: str, title: str) -> RenderJob:
    """The render job of a PDF page of these sources."""
    from salesplay.render.pdf import RenderJob

    base_url = (THEME_DIR / "index.html").as_uri()
    return RenderJob(
        page,
        base_url,
        src.pdf_roots,
        src.cat.as_of,
        title,
        lang=src.labels.lang,
        linted=src.linted_sheets,
    )


@dataclass(frozen=True)
class LatePdfMake:
    """The make of a PDF whose key was known without its page (pdf_page): the page is
    rendered where the PDF is made, then made as PdfMake makes it."""

    page: Callable[[], str]
    #: the render job, its page empty
    job: RenderJob
    where: Location
    subject: Subject | None
    check: PageBudget | None
    parts: PartStore | None = None

    def __call__(self, workshop: Workshop) -> Made:
        job = replace(self.job, html=self.page())
        return PdfMake(job, self.where, self.subject, self.check, self.parts)(workshop)


@dataclass(frozen=True)
class PdfMake:
    """The make of a PDF unit: data, not a closure, so that it can be sent to a process
    that has WeasyPrint loaded already (engine.early.Standby)."""

    job: RenderJob
    #: where a refused resource is reported (the output).
    where: Location
    subject: Subject | None
    check: PageBudget | None
    #: where a PDF rendered by chapters keeps its parts
    parts: PartStore | None = None

    def __call__(self, workshop: Workshop) -> Made:
        from salesplay.render.pdf import render_job

        renderer = workshop.tool("pdf", _pdf_renderer)
        parts = self.parts.opened() if self.parts is not None else None
        data, refused = render_job(renderer, self.job, parts)
        if parts is not None:
            workshop.keep(parts.kept())
        warnings = tuple(
            Diagnostic(self.where, Severity.WARNING, f"refused to load {r}", "fetch", self.subject)
            for r in refused
        )
        return data, warnings + (self.check(data) if self.check else ())


#: where the chapters of PDFs rendered by chapters are kept (render.chapters)
PARTS = ".salesplay/parts"


@dataclass(frozen=True)
class PartStore:
    """The rendered chapters of one PDF, kept between builds under PARTS.

    A part's file is named by the output and a key of the part's HTML and all else it is
    made of (the job without its page: date, title, language, folders; the digest of the
    files a page may load; salesplay's code). A make reads kept parts and notes the parts it
    renders; the build writes those and removes the output's unused ones when it writes the
    output (`kept`, engine.units.Kept), so that a build that stops writes none. With
    `--clean` nothing kept is read."""

    out: Path
    #: the output's path made a file name
    prefix: str
    base: str
    places: tuple[Path, ...]
    fresh: bool
    used: set[str] = field(default_factory=set, compare=False)
    made: dict[str, bytes] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, src: Sources, rel: str, job: RenderJob, resources: str) -> PartStore:
        """The store of the output `rel` made by `job`, whose page loads what `resources`
        digests (Sources.resources)."""
        places = (*src.pdf_roots, THEME_DIR)
        base = key_of("pdf", placeless(replace(job, html=""), places), resources)
        # the output's path as written: each locale's playbook keeps its own parts
        written = localized_path(rel, src.locale, src.locales[0]) if src.translated else rel
        return cls(src.out, _part_prefix(written), base, places, src.clean)

    def opened(self) -> PartStore:
        """A store of this make's own (what it uses and renders is noted in it)."""
        return replace(self, used=set(), made={})

    def _name(self, html: str) -> str:
        from salesplay.cachefiles import BLOBS

        key = key_of("chapter", self.base, placeless(html, self.places))
        return f"{PARTS}/{self.prefix}--{key}{BLOBS}"

    def get(self, html: str) -> tuple[bytes, list[str]] | None:
        """The kept PDF and refused resources of the part `html` (see chapters.PartCache)."""
        from salesplay.cachefiles import read_blobs

        name = self._name(html)
        self.used.add(name)
        blobs = None if self.fresh else read_blobs(self.out, name)
        if blobs is None or len(blobs) != 2:
            return None
        try:
            refused = jsonfile.loads(blobs[1])
        except ValueError:
            return None
        if not (isinstance(refused, list) and all(isinstance(r, str) for r in refused)):
            return None
        return blobs[0], refused

    def put(self, html: str, pdf: bytes, refused: list[str]) -> None:
        """Note the part `html` rendered, to be kept (see kept)."""
        from salesplay.cachefiles import blob_file

        name = self._name(html)
        self.used.add(name)
        self.made[name] = blob_file(name, [pdf, json.dumps(refused).encode()])

    def kept(self) -> Kept:
        """What the build keeps of this make: the parts rendered, and only those used."""
        return Kept(
            f"{PARTS}/{self.prefix}--", tuple(sorted(self.made.items())), frozenset(self.used)
        )


def _part_prefix(rel: str) -> str:
    # output paths are made of ids, locale codes and folder names: no "+" in them
    return rel.replace("/", "+")


def sweep_parts(out: Path, planned: Iterable[str], wants: Callable[[str], bool]) -> None:
    """Remove the kept chapters of outputs the build no longer plans (`wants` is asked for
    each output's path: outputs a `--only` left out keep theirs)."""
    from salesplay.write import drop_cached

    kept = {_part_prefix(rel) for rel in planned}
    try:
        names = sorted(p.name for p in (out / PARTS).iterdir())
    except OSError:
        return
    for name in names:
        prefix = name.partition("--")[0]
        if prefix not in kept and wants(prefix.replace("+", "/")):
            drop_cached(out, f"{PARTS}/{name}")


@dataclass(frozen=True)
class PageBudget:
    """A check of a made PDF: a warning at its entity's file when it runs past `budget` pages
    ("battlecard 'x' (de) runs to 3 pages (budget 2): <advice>"; `locale` names a
    translated output's language)."""

    subject: Subject
    loc: Location
    budget: int
    what: str
    advice: str
    locale: str | None = None

    def __call__(self, pdf: bytes) -> tuple[Diagnostic, ...]:
        return self.judge(page_count(pdf))

    def judge(self, pages: int) -> tuple[Diagnostic, ...]:
        """The warning for a PDF of `pages` pages, if it is past the budget (a kit member
        read from the cache is judged by the page count kept beside it)."""
        if pages <= self.budget:
            return ()
        language = f" ({self.locale})" if self.locale else ""
        message = (
            f"{self.what} '{self.subject[1]}'{language} runs to {pages} pages"
            f" (budget {self.budget}): {self.advice}"
        )
        return (Diagnostic(self.loc, Severity.WARNING, message, "card-length", self.subject),)


def warned_at(src: Sources, check: PageBudget | None) -> tuple[str, int, int] | None:
    """Where `check` warns, as a key part (the catalog's folder by rank): a kept warning is
    said again where its record put it, so an edit that moves the entity's first line (a
    comment above it) must make the PDF's key change, or the warning named the old line."""
    return None if check is None else place_of(check.loc, src.cat.root)


def place_of(loc: Location, root: Path) -> tuple[str, int, int]:
    """`loc` as a key part: its file resolved and named from `root` by rank (placeless), so
    that the same place reads the same from a moved project or a relative --catalog."""
    return placeless(loc.file.resolve(), (root,)), loc.line, loc.col


def page_count(pdf: bytes) -> int:
    """The pages of a PDF."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)


def scratch(src: Sources) -> Path:
    """The build's scratch folder under --out (write.scratch_folder), for a family that
    extracts the catalog at an earlier revision; a link on the way is a located fault."""
    from salesplay.write import SCRATCH, located_writes, scratch_folder

    if src.scratch_at is not None:
        return src.scratch_at
    with located_writes(src.out, SCRATCH):
        return scratch_folder(src.out)


def _pdf_renderer() -> object:
    from salesplay.render.pdf import PdfRenderer

    return PdfRenderer()


def warm_pdf() -> None:
    """Import WeasyPrint (0.26 s): a PDF unit's `warm`, and the playbooks' (Family.warm)."""
    from salesplay.render import weasy

    weasy.load()  # imported once in the parent, inherited by the workers


def warm_pptx() -> None:
    """Import python-pptx (0.17 s): the decks' Family.warm, so that the standby and its
    siblings make decks without importing it each (engine.early)."""
    from salesplay.render import pptx_deck  # noqa: F401


@dataclass(frozen=True)
class DeckUnitMake:
    """A deck unit's make (deck_unit): data when its deck's make is (families.decks.DeckMake),
    so that it travels to a standby as a PDF's make does."""

    make_deck: Callable[[], Made]
    #: where a deck fault is located: the master
    where: Path
    subject: Subject | None = None

    def __call__(self, _workshop: Workshop) -> Made:
        from salesplay.render.slides import DeckError

        try:
            return self.make_deck()
        except DeckError as exc:
            raise BuildFault.of(exc, self.where, self.subject) from None


def deck_unit(
    family: str,
    rel: str,
    make_deck: Callable[[], Made],
    key: str,
    where: Path,
    subject: Subject | None = None,
) -> Unit:
    """A deck made by python-pptx, with its warnings; a deck fault is located at the master
    `where`."""
    make = DeckUnitMake(make_deck, where, subject)
    # an estimate, for the order of making: a deck takes 0.06-0.1 s of CPU once python-pptx
    # is imported (2026-12-06), and 0.3 keeps it behind the cards, as it was planned with
    return Unit(rel, family, key, make=make, subject=subject, cost=0.3)
