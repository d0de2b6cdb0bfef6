"""WeasyPrint wrapper: sandboxed resource fetching, deterministic and tagged PDF output."""

from __future__ import annotations

import contextlib
import mimetypes
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urljoin, urlsplit

from salesplay.engine.fork import WorkerError, forked_map
from salesplay.render import fontfiles
from salesplay.render.sheets import Sheets, reusing
from salesplay.render.theme import THEME_DIR, builtin_for

if TYPE_CHECKING:
    from salesplay.render.chapters import PartCache

#: The package's default theme: fonts.css and the shipped Inter font files.
FONTS_CSS = THEME_DIR / "fonts.css"

# MEASURED.md: a third worker gains nothing on the 2-core build machines.
DEFAULT_WORKERS = 2


class PdfError(Exception):
    """A PDF could not be rendered (bad input or a resource outside the allowed roots)."""


class FetchRefused(PdfError):
    """SafeFetcher declined a URL; WeasyPrint catches it and skips the resource."""


class SafeFetcher:
    """A WeasyPrint url_fetcher that serves only data: URLs and files under `roots`.

    Every refusal is appended to `refused` as "url: reason" so the caller can warn.
    """

    # Read by weasyprint.urls.fetch: False means a failed fetch skips the resource.
    _fail_on_errors = False

    def __init__(self, roots: Sequence[Path], linted: Sequence[Path] = ()) -> None:
        self.roots: tuple[Path, ...] = tuple(Path(r).resolve() for r in roots)
        self.refused: list[str] = []
        #: linked sheets whose refused fetches the lint reports (theme.linted_sheets), and
        #: the indexes in `refused` of those a parse of one of them made (render.sheets)
        self.linted: frozenset[Path] = frozenset(Path(p) for p in linted)
        self.said: set[int] = set()
        #: every file served, resolved (render.sheets keeps what a parsed sheet read)
        self.fetched: list[Path] = []

    def __call__(self, url: str) -> Any:
        return self.fetch(url)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        """Return a weasyprint URLFetcherResponse, or raise FetchRefused."""
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            # Inline data cannot reach the network or the disk.
            return URLFetcher(allowed_protocols=("data",)).fetch(url)
        if scheme != "file":
            self._refuse(url, f"scheme '{scheme or '?'}' is not allowed (no network access)")
        path = self.check_path(url)
        self.fetched.append(path)
        mime, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(
            path.as_uri(),
            body=path.read_bytes(),
            headers={"Content-Type": mime or "application/octet-stream"},
        )

    def check_path(self, url: str) -> Path:
        """The resolved file a file: URL names, if it lies under a root; else refuse."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            self._refuse(url, f"remote host '{parts.netloc}' is not allowed")
        raw = unquote(parts.path)
        if ".." in raw.replace("\\", "/").split("/"):
            self._refuse(url, "'..' path components are not allowed")
        # resolve() follows symlinks, so a link pointing out of a root is caught below. The
        # path percent-decoded is url2pathname's answer on POSIX (urllib.request, which
        # imports in 30 ms, is not needed for it)
        try:
            path = Path(raw).resolve()
        except (OSError, RuntimeError):  # a symlink loop: RuntimeError on Python 3.11
            self._refuse(url, "a symbolic link that leads round in a loop")
        if not path.is_file():
            # templates/default/X is the built-in theme's X (theme.BUILTIN_PREFIX): an
            # override's @import "default/style.css" extends the sheet it replaces
            path = builtin_for(self.roots, path) or path
        problem = self._problem(path)
        if problem is not None:
            self._refuse(url, problem)
        return path

    def peek(self, url: str) -> Path | None:
        """The file check_path would serve for `url`, asked quietly: a refusal is not noted
        (nor said as a warning), None instead."""
        noted = len(self.refused)
        try:
            return self.check_path(url)
        except FetchRefused:
            return None
        finally:
            del self.refused[noted:]

    def allows(self, path: Path) -> bool:
        """Whether the file `path` would be served now (asked quietly: nothing is noted)."""
        try:
            return self._problem(path.resolve()) is None
        except (OSError, RuntimeError):  # a symlink loop: RuntimeError on Python 3.11
            return False

    def _problem(self, resolved: Path) -> str | None:
        """Why the resolved file `resolved` may not be served; None when it may."""
        if not any(resolved.is_relative_to(root) for root in self.roots):
            return "outside the allowed directories"
        if not resolved.is_file():
            return "not a file"
        return None

    def _refuse(self, url: str, reason: str) -> None:
        self.refused.append(f"{url}: {reason}")
        raise FetchRefused(f"refused {url}: {reason}")


#: a <link>'s href, a <style> element's text (render.loads reads it too), and what in a
#: sheet may declare a face
_LINK_HREF = re.compile(r"""<link\b[^>]*?\bhref\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_DECLARES = re.compile(r"@font-face|@import|@\\", re.IGNORECASE)


class PdfRenderer:
    """Renders documents one after the other in a process, with one font configuration.

    WeasyPrint 70 never frees a FontConfiguration (~0.26 MB each, measured) and makes one
    per document by default: a build rendering hundreds of documents would grow by as
    much. Use one renderer per process (render_many does) and close() it: that frees its
    font files (render.fontfiles: memory, or a temp folder where there is none).
    """

    def __init__(self) -> None:
        self._font_config: Any = None
        self._sheets: Sheets | None = None  # the linked sheets parsed with _font_config
        self._pid = 0
        #: where the faces of the font configuration came from (_faces_of): a document
        #: whose faces come from elsewhere gets a fresh one
        self._faces: tuple[str, ...] | None = None
        #: whether each linked sheet (by URL) may declare faces (@font-face, @import)
        self._declares: dict[str, bool] = {}

    def __enter__(self) -> PdfRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Free this process's font files; the renderer stays usable."""
        if self._font_config is not None:
            if self._pid == os.getpid():
                fontfiles.discard(self._font_config)
            else:
                fontfiles.disown(self._font_config)  # the parent's (see _fonts)
        self._font_config = self._sheets = None

    def _fonts(self) -> tuple[Any, Sheets]:
        if self._font_config is None or self._sheets is None or self._pid != os.getpid():
            from salesplay.render import weasy

            weasy.load()  # the first thing a render imports of WeasyPrint
            if self._font_config is not None:
                # Inherited through fork: its font files are the parent's, which this
                # process must neither share nor free.
                fontfiles.disown(self._font_config)
            self._font_config, self._pid = fontfiles.font_configuration(), os.getpid()
            self._sheets = Sheets(self._font_config)
        return self._font_config, self._sheets

    def _faces_of(
        self, html: str, base_url: str, stylesheets: Sequence[Path], fetcher: SafeFetcher
    ) -> tuple[str, ...]:
        """Where a document's font faces may come from: its linked and given sheets that
        may declare one (an @font-face, or an @import of a sheet that may), and its
        <style> elements that may. Documents of one theme share one configuration."""
        found = []
        for href in _LINK_HREF.findall(html):
            url = urljoin(base_url, href.strip())
            if url not in self._declares:
                # asked quietly: a refused link is said once, where WeasyPrint asks for it
                served = fetcher.peek(url)
                try:
                    text = served.read_text("utf-8", errors="replace") if served else ""
                except OSError:
                    text = ""
                self._declares[url] = _DECLARES.search(text) is not None
            if self._declares[url]:
                found.append(url)
        found += [block for block in STYLE_ELEMENT.findall(html) if _DECLARES.search(block)]
        found += [str(sheet) for sheet in stylesheets]
        return tuple(found)

    def render(
        self,
        html: str,
        *,
        base_url: str,
        roots: Sequence[Path],
        as_of: date,
        title: str,
        lang: str = "en",
        tagged: bool = True,
        stylesheets: Sequence[Path] = (),
        linted: Sequence[Path] = (),
        fonts: FontForm = "dense",
    ) -> tuple[bytes, list[str]]:
        """Render `html` to PDF bytes; return them with the list of refused resources
        (without those the parse of a `linted` linked sheet was refused: the lint says them
        once, at the sheet).

        Same html + same as_of gives byte-identical output: the dates come from as_of,
        the /ID from a hash of the content. `tagged` produces PDF/UA-1 (structure tree).
        `fonts`: how each embedded CFF subset is written (FontForm).
        """
        fetcher = SafeFetcher(roots, linted)
        try:
            document = self._layout(html, base_url, fetcher, stylesheets)
            _drop_file_links(document)
            stamp = as_of.isoformat()
            document.metadata.created = stamp
            document.metadata.modified = stamp
            document.metadata.title = title
            document.metadata.lang = document.metadata.lang or lang
            _cid_fonts_hook()
            asked = _FONT_FORM.set(fonts)
            try:
                with _source_date_epoch(as_of):
                    pdf: bytes = document.write_pdf(
                        pdf_variant="pdf/ua-1" if tagged else None,
                        # True: /ID is the MD5 of the objects, stable for identical content.
                        pdf_identifier=True,
                    )
            finally:
                _FONT_FORM.reset(asked)
        except PdfError:
            raise
        except Exception as exc:  # WeasyPrint raises many types; callers need one.
            raise PdfError(f"cannot render '{title}': {type(exc).__name__}: {exc}") from exc
        return pdf, [r for i, r in enumerate(fetcher.refused) if i not in fetcher.said]

    def layout(
        self, html: str, *, base_url: str, roots: Sequence[Path], stylesheets: Sequence[Path] = ()
    ) -> Any:
        """`html` laid out (a WeasyPrint Document, not written): to measure what it sets,
        e.g. a text's width in the fonts it is drawn with."""
        try:
            return self._layout(html, base_url, SafeFetcher(roots, ()), stylesheets)
        except PdfError:
            raise
        except Exception as exc:  # WeasyPrint raises many types; callers need one.
            raise PdfError(f"cannot lay out: {type(exc).__name__}: {exc}") from exc

    def _layout(
        self, html: str, base_url: str, fetcher: SafeFetcher, stylesheets: Sequence[Path]
    ) -> Any:
        from weasyprint import CSS, HTML

        faces = self._faces_of(html, base_url, stylesheets, fetcher)
        if self._font_config is not None and faces != self._faces:
            # a face registered by one document stays in the configuration: a font a
            # playbook declared set the next cards' text in it, whatever their own sheets
            # say, so output hung on which document a worker rendered before
            self.close()
        font_config, linked = self._fonts()
        self._faces = faces
        sheets = []
        for sheet in stylesheets:
            url = Path(sheet).resolve().as_uri()
            try:
                fetcher.check_path(url)
            except FetchRefused as exc:
                raise PdfError(f"stylesheet {sheet} is outside the allowed roots") from exc
            sheets.append(CSS(url=url, url_fetcher=fetcher, font_config=font_config))
        with reusing(linked, fetcher):
            page = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
            document = page.render(stylesheets=sheets, font_config=font_config)
            for _ in range(_MAX_RELAYOUTS):
                torn = _torn_pairs(document)
                if not torn:
                    break
                for element in torn:  # laid out again, each kept whole (break-inside: avoid)
                    style = (element.get("style") or "").rstrip("; ")
                    element.set("style", f"{style}; {_WHOLE}" if style else _WHOLE)
                document = page.render(stylesheets=sheets, font_config=font_config)
            return document


#: the class of two columns side by side (the theme's discovery and qualification, a
#: table of one row that may break across pages) that must not break with one column empty
PAIR_CLASS = "pair"
_WHOLE = "break-inside: avoid"
#: layouts again at most, each keeping whole the pairs the last one tore
_MAX_RELAYOUTS = 3


def _torn_pairs(document: Any) -> list[Any]:
    """The elements of class PAIR_CLASS that a page ends inside with a column still empty
    while the other has begun: in German, "Qualify before you invest" began at the foot of
    a page beside nothing, and "Discovery questions" went whole to the next page, where the
    rest of the qualification went on without its heading. Such a pair is laid out again
    whole, on the next page, as one that does not fit would."""
    from weasyprint.formatting_structure import boxes

    half: dict[int, tuple[int, Any]] = {}  # element → (the page it began half on, element)
    on: dict[int, set[int]] = {}  # element → the pages it is on
    for number, page in enumerate(document.pages):
        stack: list[Any] = [page._page_box]
        while stack:
            box = stack.pop()
            stack.extend(reversed(getattr(box, "children", None) or ()))
            element = getattr(box, "element", None)
            if not isinstance(box, boxes.TableBox) or element is None:
                continue
            if PAIR_CLASS not in (element.get("class") or "").split():
                continue
            on.setdefault(id(element), set()).add(number)
            cells = [c for group in box.children for row in group.children for c in row.children]
            begun = [bool(cell.children) for cell in cells]
            if len(begun) > 1 and any(begun) and not all(begun):
                half.setdefault(id(element), (number, element))
    return [element for key, (number, element) in half.items() if number + 1 in on[key]]


def _drop_file_links(document: Any) -> None:
    """A link to a file of this machine (a template's `links.asset()` in an `<a href>`) is
    no link in the PDF: it would carry the build folder's path to every reader, and lead
    nowhere once the PDF leaves it. Its text stays; files it embeds (`rel=attachment`) too."""
    for page in document.pages:
        page.links = [
            link
            for link in page.links
            if not (link[0] == "external" and str(link[1]).lower().startswith("file:"))
        ]


def render_pdf(
    html: str,
    *,
    base_url: str,
    roots: Sequence[Path],
    as_of: date,
    title: str,
    lang: str = "en",
    tagged: bool = True,
    stylesheets: Sequence[Path] = (),
) -> tuple[bytes, list[str]]:
    """Render one document (see PdfRenderer.render); for many, use render_many or a renderer."""
    with PdfRenderer() as renderer:
        return renderer.render(
            html,
            base_url=base_url,
            roots=roots,
            as_of=as_of,
            title=title,
            lang=lang,
            tagged=tagged,
            stylesheets=stylesheets,
        )


#: how a render writes its CFF font subsets (render.cidfont), which WeasyPrint writes
#: name-keyed, keeping the face's glyph ids, with a name for each of a thousand slots:
#: "dense", only the glyphs drawn, CID-keyed (a CIDFontType0C program: the sample's cards
#: 38 % smaller, its Japanese ones 4.8 times); "cid", every slot but no names (an OpenType program
#: whose glyph ids stay, as the parts of a playbook need to merge); "as-made"
FontForm = Literal["dense", "cid", "as-made"]
#: the form asked for by the PDF being written (PdfRenderer.render sets it around
#: WeasyPrint's write_pdf, which has no option to carry it to its font writer)
_FONT_FORM: ContextVar[FontForm] = ContextVar("salesplay_font_form", default="as-made")


def _cid_fonts_hook() -> None:
    """Have WeasyPrint's font writer write CFF subsets in the form a render asks for.

    WeasyPrint 70 subsets each font in `Font.clean`, which `build_fonts_dictionary` calls
    just before it makes the font's stream: the wrapper gives each font of the document a
    `subset` that rewrites the subset WeasyPrint made (render.cidfont); a dense one is then
    put in its stream as a CIDFontType0C program. A font it does not take apart is written
    as WeasyPrint made it."""
    import weasyprint.pdf as weasy_pdf

    writer = weasy_pdf.build_fonts_dictionary
    if getattr(writer, "salesplay_cid", False):
        return

    def build_fonts_dictionary(
        pdf: Any, fonts: dict[Any, Any], compress: bool, subset: bool, options: dict[str, Any]
    ) -> Any:
        form = _FONT_FORM.get()
        dense: dict[int, bytes] = {}  # id of a subset's bytes -> its dense CFF program
        if subset and form != "as-made":
            for font in fonts.values():
                if _cid_keyable(font):
                    font.subset = partial(_cid_subset, font, font.subset, form, dense)
        written = writer(pdf, fonts, compress, subset, options)
        if dense:
            for obj in pdf.objects:
                stream: list[Any] = getattr(obj, "stream", None) or []
                program = dense.get(id(stream[0])) if len(stream) == 1 else None
                if program is not None and obj.extra.get("Subtype") == "/OpenType":
                    obj.stream = [program]
                    obj.extra["Subtype"] = "/CIDFontType0C"
        return written

    build_fonts_dictionary.salesplay_cid = True  # type: ignore[attr-defined]
    weasy_pdf.build_fonts_dictionary = build_fonts_dictionary


def _cid_keyable(font: Any) -> bool:
    # a variable face is instanced, and a colour or bitmap face rewritten, after the subset
    # by fontTools, which reads glyph names: those stay as WeasyPrint makes them
    return not (
        font.used_in_forms or font.bitmap or font.png or font.svg or font.colr
        or "fvar" in font.tables
    )  # fmt: skip


def _cid_subset(
    font: Any,
    subset: Callable[[Any, Any], None],
    form: FontForm,
    dense: dict[int, bytes],
    to_unicode: Any,
    hinting: Any,
) -> None:
    from salesplay.render import cidfont
    from salesplay.render.cff import CffError

    subset(to_unicode, hinting)
    if font.file_content[:4] != b"OTTO":
        return
    with contextlib.suppress(CffError):  # kept as WeasyPrint made it: larger, as right
        if form == "cid":
            font.file_content = cidfont.cid_keyed(font.file_content)
        elif to_unicode:
            # the OpenType file stays the font's until its stream is made (WeasyPrint reads
            # its kind from it); the stream then gets the dense program
            dense[id(font.file_content)] = cidfont.dense(font.file_content, to_unicode)


@contextmanager
def _source_date_epoch(as_of: date) -> Iterator[None]:
    # Without libharfbuzz-subset, WeasyPrint subsets fonts with fontTools, which stamps
    # head.modified with the clock unless SOURCE_DATE_EPOCH is set.
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    epoch = datetime.combine(as_of, time(), tzinfo=UTC).timestamp()
    os.environ["SOURCE_DATE_EPOCH"] = str(int(epoch))
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def fast_font_subsetting() -> bool:
    """Whether WeasyPrint found libharfbuzz-subset (Debian: libharfbuzz-subset0).

    Without it, fonts are subset with fontTools: ~0.1 s per font face per PDF instead
    of ~2 ms, the largest cost of a small document. The build should say so.
    """
    from weasyprint.text.ffi import harfbuzz_subset

    return harfbuzz_subset is not None


@dataclass(frozen=True)
class RenderJob:
    """The arguments of one render_pdf call, picklable for render_many."""

    html: str
    base_url: str
    roots: tuple[Path, ...]
    as_of: date
    title: str
    lang: str = "en"
    tagged: bool = True
    stylesheets: tuple[Path, ...] = field(default=())
    #: the project's print sheets (theme.linted_sheets): what their parse is refused is
    #: reported by the lint, not by each PDF.
    linted: tuple[Path, ...] = field(default=())
    #: rendered chapter by chapter and joined where the page splits (render.chapters), so
    #: that an edit of one chapter renders that chapter again, not the whole document
    chapters: bool = False


def render_job(
    renderer: PdfRenderer, job: RenderJob, parts: PartCache | None = None
) -> tuple[bytes, list[str]]:
    """Render one job with a process's renderer: PDF bytes and the refused resources; the
    parts of a job rendered by chapters are kept in `parts`."""
    if job.chapters:
        from salesplay.render import chapters

        read = _sheet_reader(job)
        extra = (read(Path(sheet).resolve().as_uri()) for sheet in job.stylesheets)
        if not any(text is not None and chapters.carries_state(text) for text in extra):
            # parts keep their faces' glyph ids, to merge when joined (made dense then)
            part = partial(_render_html, renderer, job, fonts="cid")
            done = chapters.render(job.html, part, parts, read)
            if done is not None:
                return done
    return _render_html(renderer, job, job.html)


def _sheet_reader(job: RenderJob) -> Callable[[str], str | None]:
    """The text of a stylesheet the job's page links (its URL resolved against the page's),
    read only where the renderer may read; None where it may not, or cannot."""
    fetcher = SafeFetcher(job.roots)  # its refusals are the render's to report, not this

    def read(url: str) -> str | None:
        absolute = urljoin(job.base_url, url)
        if not absolute.lower().startswith("file:"):
            return None
        try:
            return fetcher.check_path(absolute).read_text("utf-8", errors="replace")
        except (FetchRefused, OSError):
            return None

    return read


def _render_html(
    renderer: PdfRenderer, job: RenderJob, html: str, fonts: FontForm = "dense"
) -> tuple[bytes, list[str]]:
    return renderer.render(
        html,
        base_url=job.base_url,
        roots=job.roots,
        as_of=job.as_of,
        title=job.title,
        lang=job.lang,
        tagged=job.tagged,
        stylesheets=job.stylesheets,
        linted=job.linted,
        fonts=fonts,
    )


@contextmanager
def _pdf_task(jobs: Sequence[RenderJob]) -> Iterator[Callable[[int], RenderResult]]:
    with PdfRenderer() as renderer:

        def task(index: int) -> RenderResult:
            try:
                return render_job(renderer, jobs[index])
            except PdfError as exc:
                return PdfError(str(exc))

        yield task


RenderResult = tuple[bytes, list[str]] | PdfError


def render_many(
    jobs: Sequence[RenderJob],
    workers: int = DEFAULT_WORKERS,
    on_done: Callable[[int], None] | None = None,
) -> list[tuple[bytes, list[str]]]:
    """Render jobs, results in job order, on forked workers (in-process for 0-1 of either).

    Each worker renders its share with one PdfRenderer. The first failed job, in job
    order, raises its PdfError once all are done.
    """
    tick = on_done or (lambda _index: None)
    if workers <= 1 or len(jobs) <= 1:
        out = []
        with PdfRenderer() as renderer:
            for index, job in enumerate(jobs):
                out.append(render_job(renderer, job))
                tick(index)
        return out
    from salesplay.render import weasy

    weasy.load()  # imported once in the parent, inherited by the forks

    done: dict[int, RenderResult] = {}
    try:
        with closing(forked_map(partial(_pdf_task, jobs), len(jobs), workers)) as results:
            for index, result in results:
                done[index] = result
                tick(index)
    except WorkerError as exc:
        raise PdfError(f"PDF worker failed: {exc}") from None
    rendered = []
    for index in range(len(jobs)):
        item = done[index]
        if isinstance(item, PdfError):
            raise item
        rendered.append(item)
    return rendered
