"""Sandboxed Jinja: project templates override built-ins file by file; every fault located."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import functools
import inspect
import os
import posixpath
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import BuiltinMethodType, MappingProxyType, MethodType, TracebackType
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Namespace
from markupsafe import Markup

from salesplay import richtext
from salesplay.diagnostics import Location, did_you_mean, display_path
from salesplay.faults import BuildFault
from salesplay.labels import Labels, quoted
from salesplay.render import shelf

# the theme lookup lives apart (no Jinja import); templates re-exports it for its callers
from salesplay.render.theme import THEME_DIR as THEME_DIR
from salesplay.render.theme import find_file as find_file
from salesplay.render.theme import first_file as first_file
from salesplay.render.theme import read_contained
from salesplay.render.theme import template_dirs as template_dirs
from salesplay.render.theme import theme_file as theme_file

#: a template larger than this is refused (the built-in ones are under 20 KB).
MAX_TEMPLATE_BYTES = 1_000_000
#: the largest string or list a template may make with `*`, and the largest exponent of `**`.
MAX_REPEAT = 1_000_000
MAX_EXPONENT = 1_000


class TemplateFault(Exception):
    """A template that cannot be loaded or rendered, with where it went wrong."""

    def __init__(self, loc: Location, message: str) -> None:
        super().__init__(message)
        self.loc = loc


def _days_ago(value: dt.date, as_of: dt.date) -> int:
    return (as_of - value).days


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox (no `__globals__`, no private attributes), plus bounded `*` and `**`,
    and the views' tables read-only (`_read_only`).

    Mutation of what a template makes itself stays allowed: a project's override may collect
    items with `{% set _ = xs.append(x) %}`.
    """

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: is_safe_attribute's answers by (type, name): Jinja's rule reads only the object's
        #: type and the name, and a thousand kit pages ask the same few hundred of each
        self._safe: dict[tuple[type, str], bool] = {}
        #: (type, name) found safe by that rule before: `getattr` reads it again without
        #: asking it, nor the sandbox's wrapping of a str's `format` unless the value is a
        #: bound method (a kit's index page reads some 360 attributes, a playbook more)
        self._plain: set[tuple[type, str]] = set()

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        safe = self._safe.get(key)
        if safe is None:
            safe = self._safe[key] = super().is_safe_attribute(obj, attr, value)
        return safe

    def _parse(self, source: str, name: str | None, filename: str | None) -> jinja2.nodes.Template:
        # checked as it is parsed to be compiled, once, not again on each load
        tree = _parsed(lambda: super(_Sandbox, self)._parse(source, name, filename), name, filename)
        if filename is not None and not Path(filename).is_relative_to(THEME_DIR):
            _no_reserved_names(tree, Path(filename))
            _known_blocks(self, tree, Path(filename))
            if name is not None:
                _filled_blocks(self, tree, name, Path(filename))
        return tree

    def _compile(self, source: str, filename: str) -> Any:
        # Python's own limits on the code Jinja makes of a template (200 nested parentheses,
        # 20 nested blocks, 100 indentation levels) are the template's fault, not salesplay's
        try:
            return super()._compile(source, filename)
        except (SyntaxError, RecursionError, MemoryError) as exc:
            why = exc.msg if isinstance(exc, SyntaxError) else type(exc).__name__
            raise jinja2.TemplateSyntaxError(
                f"the template nests too deeply to be compiled ({why}): split the"
                " expression, or the nested tags, into macros or {% set %} steps",
                1,
                filename=None if filename == "<template>" else filename,
            ) from None

    def getattr(self, obj: Any, attribute: str) -> Any:
        key = (type(obj), attribute)
        if key in self._plain:
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                pass  # not on this one: the sandbox's way (an item of that name, or undefined)
            else:
                # a bound method may be a str's `format`, which the sandbox wraps
                if not isinstance(value, _METHODS):
                    return _read_only(obj, value)
        value = super().getattr(obj, attribute)
        if self._safe.get(key):
            self._plain.add(key)
        return _read_only(obj, value)

    def getitem(self, obj: Any, argument: Any) -> Any:
        return _read_only(obj, super().getitem(obj, argument))

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                sized = isinstance(seq, str | list | tuple) and isinstance(times, int)
                if sized and len(seq) * times > MAX_REPEAT:
                    raise SecurityError(f"'*' would make {len(seq) * times:,} items")
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is too large (at most {MAX_EXPONENT})")
        return super().call_binop(context, operator, left, right)


def _parsed(
    parse: Callable[[], jinja2.nodes.Template], name: str | None, filename: str | None
) -> jinja2.nodes.Template:
    """`parse()`, with a parser that runs out of stack (an expression of a thousand `+`,
    brackets nested hundreds deep) a located syntax error, not salesplay's RecursionError;
    and a tree deeper than MAX_NESTING one too, at its line (Jinja's compiler and every walk
    of the tree recurse a level at a time)."""
    try:
        tree = parse()
    except RecursionError:
        raise jinja2.TemplateSyntaxError(
            "the template nests too deeply to be read: split the expression, or the nested"
            " tags, into macros or {% set %} steps",
            1,
            name,
            filename,
        ) from None
    todo: list[tuple[jinja2.nodes.Node, int]] = [(tree, 0)]
    while todo:
        node, depth = todo.pop()
        if depth > MAX_NESTING:
            raise jinja2.TemplateSyntaxError(
                f"the template nests more than {MAX_NESTING} deep here (an expression of"
                " many operators or brackets, or tags inside tags): split it into macros or"
                " {% set %} steps",
                getattr(node, "lineno", None) or 1,
                name,
                filename,
            )
        todo.extend((child, depth + 1) for child in node.iter_child_nodes())
    return tree


#: how deep a template's syntax tree may nest (Python's recursion limit is 1,000, and the
#: compiler takes several frames a level; the built-in theme nests under 30)
MAX_NESTING = 150


def _read_only(owner: Any, value: Any) -> Any:
    """A table a template reads from a view (`edition.plays`) as a read-only mapping: one
    page's template that pops a play out of it would take it from every page rendered
    after. A dict the template made itself (its own, or a namespace's) stays its own."""
    if type(value) is dict and not isinstance(owner, dict | Namespace):
        return MappingProxyType(value)
    return value


class _ContainedLoader(jinja2.BaseLoader):
    """Regular files inside the given folders only, read bounded, faults located at the file.

    Jinja's own loader already refuses `..` in a template name; a symlink that leads out of
    its folder is refused here, so nothing outside the theme or project reaches an output.
    """

    def __init__(self, folders: list[Path], overridden: Path | None = None) -> None:
        self.folders = folders
        #: the project's template folder, for the built-in theme's loader (`_yielding`)
        self.overridden = overridden

    def list_templates(self) -> list[str]:
        """The names of the folders' files, never through a link (a template's did-you-mean)."""
        found: set[str] = set()
        for folder in self.folders:
            for path in folder.rglob("*"):
                if path.is_file() and not path.is_symlink():
                    found.add(path.relative_to(folder).as_posix())
        return sorted(found)

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.folders:
            filename = posixpath.join(str(folder), *pieces)
            if os.path.isfile(filename):
                break
        else:
            raise jinja2.TemplateNotFound(template)
        path = Path(os.path.normpath(filename))
        data = read_contained(path, folder, MAX_TEMPLATE_BYTES, "template", template, TemplateFault)
        try:
            mtime = path.stat().st_mtime
        except OSError as exc:
            raise TemplateFault(
                Location(path, 1, 0), f"cannot read template: {exc.strerror}"
            ) from None
        try:
            # a byte-order mark (an editor's "UTF-8 with BOM") is no text: kept, it came
            # before a page's doctype and hid an override's {% extends %} (_yielding)
            source = data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise TemplateFault(
                Location(path, line, 0),
                f"not UTF-8: byte 0x{data[exc.start]:02x} (save the template as UTF-8)",
            ) from None

        def uptodate() -> bool:
            try:
                return path.stat().st_mtime == mtime
            except OSError:
                return False

        if self.overridden is not None:
            source = _yielding(environment, template, source, self.overridden)
            return source, str(path), _also_unchanged(uptodate, self.overridden / template)
        if not path.is_relative_to(THEME_DIR):
            if not source.strip() and template in PAGE_TEMPLATES:
                raise TemplateFault(
                    Location(path, 1, 0),
                    f"'{template}' is empty, so every page made from it would be blank: write"
                    f' the template, or {{% extends "default/{template}" %}}, or delete the'
                    " file to use the built-in one",
                )
            source = _importing_whole(source, template)
        return source, str(path), uptodate


#: the built-in templates whose override, empty, blanks every output of a family (a touched
#: or half-saved battlecard.html made every card a blank page, without a word); a partial
#: such as language_switcher.html or portal/header.html may be emptied on purpose
PAGE_TEMPLATES = frozenset(
    {
        "base.html", "battlecard.html", "playbook.html", "competitor.html",
        "competitor_index.html", "matrix.html", "customer_brief.html", "whats_new.html",
        "kit_index.html", "macros.html", "portal/layout.html", "portal/index.html",
        "portal/matrix.html", "portal/partners.html", "portal/report.html",
        "portal/whats-new.html",
    }
)  # fmt: skip


#: the globals every page's labels go through: a project template that sets one at its top
#: level sets it for the built-in template it extends too, whose every label then fails
RESERVED_NAMES = frozenset({"_", "gettext", "ngettext", "pgettext", "npgettext"})


def _no_reserved_names(tree: jinja2.nodes.Template, path: Path) -> None:
    """A project template that sets `_` (`{% set _ = … %}`) outside a block or macro is a
    fault at that line: it failed in the built-in template it extends ("TypeError: 'str'
    object is not callable", located in salesplay's own theme)."""
    todo: list[jinja2.nodes.Node] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, jinja2.nodes.If):
            todo += [*node.body, *node.elif_, *node.else_]
        if not isinstance(node, jinja2.nodes.Assign | jinja2.nodes.AssignBlock):
            continue
        target = node.target
        for name in (target, *target.find_all(jinja2.nodes.Name)):
            if not isinstance(name, jinja2.nodes.Name):
                continue
            if name.name in RESERVED_NAMES:
                raise TemplateFault(
                    Location(path, node.lineno, 0),
                    f"'{name.name}' is how every label of the page is translated: set outside"
                    " a block, it is replaced for the whole page, the built-in template this"
                    " one extends too; name your variable otherwise",
                )


def _extended(tree: jinja2.nodes.Template) -> list[str] | None:
    """The templates `tree` extends, by name; None when one is named by a variable."""
    names = []
    for node in tree.find_all(jinja2.nodes.Extends):
        template = node.template
        if not (isinstance(template, jinja2.nodes.Const) and isinstance(template.value, str)):
            return None
        names.append(template.value)
    return names


def _inherited_blocks(env: jinja2.Environment, names: Sequence[str]) -> set[str] | None:
    """The blocks of the templates `names` and of those they extend; None when one cannot
    be read (its own fault, said where it is loaded) or extends a variable."""
    if env.loader is None:
        return None
    known: set[str] = set()
    todo, seen = list(names), set(names)
    while todo:
        name = todo.pop()
        try:
            source, filename, _ = env.loader.get_source(env, name)
            # parsed as the build's environment parses, without its checks: a parent
            # of the project's is judged when it is loaded itself
            parent = jinja2.Environment._parse(env, source, name, filename)
        except (jinja2.TemplateError, TemplateFault):
            return None
        known |= {block.name for block in parent.find_all(jinja2.nodes.Block)}
        above = _extended(parent)
        if above is None:
            return None
        todo.extend(n for n in above if n not in seen)
        seen.update(above)
    return known


def _known_blocks(env: jinja2.Environment, tree: jinja2.nodes.Template, path: Path) -> None:
    """A block of a project template that the templates it extends do not have is a fault at
    its line: `{% block titel %}` in an override of battlecard.html was never shown, and
    nothing said so. A template that extends one named by a variable is not judged."""
    extends = _extended(tree)
    known = _inherited_blocks(env, extends) if extends else None
    if not extends or known is None:
        return
    # a block the template shows itself (`{{ self.brandline() }}`) is a helper of its own
    known |= {
        node.attr
        for node in tree.find_all(jinja2.nodes.Getattr)
        if isinstance(node.node, jinja2.nodes.Name) and node.node.name == "self"
    }
    # a block inside another block is the child's own, shown where that one is
    outer: list[jinja2.nodes.Block] = []
    todo_nodes: list[jinja2.nodes.Node] = list(tree.body)
    while todo_nodes:
        inner = todo_nodes.pop()
        if isinstance(inner, jinja2.nodes.Block):
            outer.append(inner)
        else:
            todo_nodes.extend(inner.iter_child_nodes())
    for block in sorted(outer, key=lambda b: b.lineno):
        if block.name not in known:
            raise TemplateFault(
                Location(path, block.lineno, 0),
                f"block '{block.name}' is not one that {extends[0]} has, so it is never"
                f" shown{did_you_mean(block.name, sorted(known))}",
            )


def _filled_blocks(
    env: jinja2.Environment, tree: jinja2.nodes.Template, name: str, path: Path
) -> None:
    """A project template that replaces one the built-in pages extend (base.html,
    portal/layout.html) must have every block they fill: one renamed or left out emptied
    every battlecard, or every portal page, and nothing said so. Its blocks are its own and
    those of the templates it extends. A built-in page the project replaces without
    extending it is never rendered, so what it fills is not asked."""
    children = _theme_children().get(name)
    extends = _extended(tree)
    inherited = _inherited_blocks(env, extends) if extends else set()
    if not children or extends is None or inherited is None:
        return
    blocks = list(tree.find_all(jinja2.nodes.Block))
    has = inherited | {block.name for block in blocks}
    root = Path(str(path).removesuffix(name))
    pages = {child for fillers in children.values() for child in fillers}
    replaced = {child for child in pages if _replaces(root / child, child)}
    for block, fillers in sorted(children.items()):
        users = [child for child in fillers if child not in replaced]
        if block in has or not users:
            continue
        # the block meant: one alike by name, else the one block of the project's that no
        # built-in page fills (`content` for `body`)
        own = [b for b in blocks if b.name not in children]
        close = difflib.get_close_matches(block, sorted(has), n=1)
        meant = did_you_mean(block, sorted(has))
        if not close and len(own) == 1:
            close, meant = [own[0].name], f" (is block '{own[0].name}' meant to be it?)"
        line = next((b.lineno for b in blocks if close and b.name == close[0]), 1)
        more = f" (and {len(users) - 1} more)" if len(users) > 1 else ""
        raise TemplateFault(
            Location(path, line, 0),
            f"block '{block}', which default/{users[0]}{more} fills, is not in {name}, so"
            f" what it fills is never shown{meant}",
        )


def _replaces(override: Path, name: str) -> bool:
    """Whether the project file `override` replaces the built-in `name` without extending
    it (then the built-in one is never rendered); by its `{% extends %}`, not its text (a
    comment naming default/battlecard.html is no extends)."""
    try:
        if not override.is_file():
            return False
        tree = _plain().parse(override.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, RecursionError, jinja2.TemplateError):
        return False  # the override's fault is said where it is loaded
    extends = _extended(tree)
    return extends is not None and f"default/{name}" not in extends


@functools.cache
def _plain() -> jinja2.Environment:
    """An environment that only parses, with the build's syntax (i18n's tags): to read
    what a template extends and fills without the build's checks or loader."""
    return jinja2.Environment(extensions=["jinja2.ext.i18n"])


@functools.cache
def _theme_children() -> dict[str, dict[str, tuple[str, ...]]]:
    """For each built-in template that other built-in templates extend: the blocks they fill
    (their outermost ones), each with the templates that fill it."""
    found: dict[str, dict[str, list[str]]] = {}
    plain = _plain()
    for file in sorted(THEME_DIR.rglob("*.html")):
        child = file.relative_to(THEME_DIR).as_posix()
        try:
            tree = plain.parse(file.read_text("utf-8"))
        except jinja2.TemplateError:
            continue
        parents = _extended(tree) or []
        outer = [node for node in tree.body if isinstance(node, jinja2.nodes.Block)]
        for parent in parents:
            for block in outer:
                found.setdefault(parent, {}).setdefault(block.name, []).append(child)
    return {p: {b: tuple(c) for b, c in blocks.items()} for p, blocks in found.items()}


_END_MACRO = re.compile(r"\{%-?\s*endmacro\s*-?%\}")


def _yielding(environment: jinja2.Environment, name: str, source: str, project: Path) -> str:
    """The built-in `name` as the base of a project's override that extends it: a library of
    macros (no blocks) leaves out the macros the override defines. Jinja runs a parent's
    definitions after the child's, so the built-in `card` won over the override's and the
    override did nothing; now the override's is the one, and the built-in macros that call
    it call it too. Each left-out macro stays on its lines, so every line keeps its number."""
    child_path = project / name
    try:
        if not child_path.is_file():
            return source
        child = read_contained(child_path, project, MAX_TEMPLATE_BYTES, "template", name)
        # by its parsed {% extends %}, not its first bytes: a comment, a byte-order mark or
        # an import above the extends left the override's macros unused, without a word
        tree = environment.parse(child.decode("utf-8-sig"))
        if f"default/{name}" not in (_extended(tree) or []):
            return source
        parent = environment.parse(source)
        own = {n.name for n in tree.body if isinstance(n, jinja2.nodes.Macro)}
    except (BuildFault, UnicodeDecodeError, RecursionError, jinja2.TemplateSyntaxError):
        return source  # the override's fault is said where it is compiled
    if any(True for _ in parent.find_all(jinja2.nodes.Block)):
        return source  # blocks: extending works as Jinja says
    for macro in sorted(own):
        start = re.search(r"\{%-?\s*macro\s+" + re.escape(macro) + r"\s*\(", source)
        end = _END_MACRO.search(source, start.end()) if start else None
        if start is None or end is None:
            continue
        source = (
            f"{source[: start.start()]}{{% if false %}}{source[start.start() : end.end()]}"
            f"{{% endif %}}{source[end.end() :]}"
        )
    return source


#: the prefix of a built-in template's name as a whole, never yielding (see make_env)
WHOLE = "default-whole"


def _importing_whole(source: str, name: str) -> str:
    """An override that extends the built-in it replaces (`macros.html` extending
    `default/macros.html`) and imports it too, to wrap a built-in macro in its own: the
    import gets the built-in whole, where the base it extends leaves out the macros the
    override defines (_yielding), so `builtin.card_head` was "no macro 'card_head'"."""
    try:
        extends = _extended(_plain().parse(source))
    except (jinja2.TemplateSyntaxError, RecursionError):
        return source  # said where it is compiled
    if f"default/{name}" not in (extends or []):
        return source
    return _IMPORT_DEFAULT.sub(
        lambda m: f"{m[1]}{m[2]}{WHOLE}/{name}{m[2]}" if m[3] == name else m[0], source
    )


#: `{% import "default/NAME"` or `{% from "default/NAME"`: (opening, quote, NAME)
_IMPORT_DEFAULT = re.compile(r"""(\{%-?\s*(?:import|from)\s+)(["'])default/([^"']+)\2""")


def _also_unchanged(uptodate: Callable[[], bool], other: Path) -> Callable[[], bool]:
    """`uptodate`, and `other` (the override a base yields to) as it was."""

    def stamp() -> tuple[int, int] | None:
        try:
            info = other.stat()
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size

    then = stamp()
    return lambda: uptodate() and stamp() == then


class _Bytecode(jinja2.BytecodeCache):
    """Compiled templates kept in a dict this process owns (memo.Memo.templates), and the
    built-in theme's as `make` compiled them (render.shelf).

    Never from a build folder: Jinja loads bytecode with marshal, so only code this process
    compiled, or the installed package holds, is loaded. Jinja checks the source's checksum
    first, so an edited template is compiled again; `flavour` keeps environments that
    compile differently (autoescape) apart. Without a store, nothing is kept.
    """

    def __init__(self, store: dict[str, bytes] | None, flavour: str) -> None:
        self.store, self.flavour = store, flavour

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        key = self.flavour + bucket.key
        data = None if self.store is None else self.store.get(key)
        if data is None:
            data = shelf.installed().get(key)
            if data is not None and self.store is not None:
                # kept as if compiled here: `precompile` run again while the shelf was
                # current found every template on it, kept none, and wrote an empty shelf
                self.store[key] = data
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.store is not None:
            self.store[self.flavour + bucket.key] = bucket.bytecode_to_string()


class MacroMissing(jinja2.UndefinedError):
    """A macro an imported template lacks, with its name as data (_macro_lacking)."""

    def __init__(self, message: str, macro: str) -> None:
        super().__init__(message)
        self.macro = macro


class UnknownName(jinja2.UndefinedError):
    """A name the page was not given, as data: render offers the names it was."""

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.name = name


class _Undefined(jinja2.StrictUndefined):
    """StrictUndefined whose message names the attribute meant, whatever the object: a view
    ("'PlayView' has no attribute 'nmae' (did you mean 'name'?)"), the company, a macro of
    an imported template (which Jinja named "'TemplateModule' object", raised as
    MacroMissing); a name the page was not given is raised as UnknownName."""

    __slots__ = ()

    def __init__(
        self,
        hint: str | None = None,
        obj: Any = jinja2.utils.missing,
        name: str | None = None,
        exc: type[jinja2.TemplateRuntimeError] = jinja2.UndefinedError,
    ) -> None:
        super().__init__(hint, obj, name, exc)
        if hint is None and isinstance(name, str):
            if isinstance(obj, jinja2.environment.TemplateModule):
                self._undefined_exception = functools.partial(MacroMissing, macro=name)  # type: ignore[assignment]
            elif obj is jinja2.utils.missing:
                self._undefined_exception = functools.partial(UnknownName, name=name)  # type: ignore[assignment]

    @property
    def _undefined_message(self) -> str:
        obj, name = self._undefined_obj, self._undefined_name
        if self._undefined_hint or obj is jinja2.utils.missing or not isinstance(name, str):
            return str(super()._undefined_message)
        kind = type(obj).__name__
        if kind in ("mappingproxy", "_Watched") and name in _MUTATORS:
            return (
                f"'{name}': the edition's tables are read-only in templates; make a list of"
                " your own instead (`edition.plays.values() | rejectattr('id', 'equalto',"
                " play.id) | list`)"
            )
        meant = did_you_mean(name, _attributes_of(obj))
        if isinstance(obj, jinja2.environment.TemplateModule):
            return f"the imported template has no macro '{name}'{meant}"
        # named as a template author knows it: 'Company', not its module's path; 'None'
        shown = jinja2.utils.object_type_repr(obj)
        return f"'{kind if shown.endswith(' object') else shown}' has no attribute '{name}'{meant}"


#: the values Jinja's sandbox may wrap when a template reads them (wrap_str_format: a
#: str's bound `format` or `format_map`)
_METHODS = (MethodType, BuiltinMethodType)
#: what would change a dict in place (the edition's tables are read-only mappings)
_MUTATORS = frozenset({"pop", "popitem", "update", "clear", "setdefault"})


def _attributes_of(obj: object) -> list[str]:
    """The names a template may read of `obj`: a view's fields and properties, a model's
    fields, a module's macros, a mapping's keys."""
    if isinstance(obj, Mapping):
        return [k for k in obj if isinstance(k, str)]
    names = [n for n in dir(obj) if not n.startswith("_")]
    fields = getattr(type(obj), "model_fields", None)  # a pydantic model's, not its methods
    if isinstance(fields, dict):
        props = [n for n in names if isinstance(getattr(type(obj), n, None), property)]
        return [*fields, *props]
    return names


def make_env(
    project: Path | None,
    html: bool = True,
    labels: Labels | None = None,
    compiled: dict[str, bytes] | None = None,
) -> jinja2.Environment:
    """Sandboxed, StrictUndefined, HTML autoescape, and `default/NAME` naming the built-in.

    `labels` are the built-in labels of the locale pages are made in: `_()`, `gettext` and
    `{% trans %}` translate through them, and the `date`, `number` and `percent` filters
    format by them; `locale`, `lang` and `direction` are globals (English when None).
    `compiled` keeps compiled templates between the builds of one process (memo.Memo); the
    built-in theme's come compiled from render.shelf when `make` made it for this code.
    """
    labels = labels or Labels()
    loader = jinja2.ChoiceLoader(
        [
            jinja2.PrefixLoader(
                {
                    "default": _ContainedLoader([THEME_DIR], project),
                    # the built-in file whole, for an override that imports what it replaces
                    WHOLE: _ContainedLoader([THEME_DIR]),
                }
            ),
            _ContainedLoader(template_dirs(project)),
        ]
    )
    env = _Sandbox(
        loader=loader,
        undefined=_Undefined,
        autoescape=jinja2.select_autoescape(["html", "htm", "svg", "xml"]) if html else False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
        bytecode_cache=_Bytecode(compiled, f"html={html}:"),
    )
    # newstyle: a translated label is autoescaped and formats its %(name)s placeholders
    # through `labels`, not its catalog: a label left in English on a right-to-left page
    # is marked left to right there (Labels.gettext)
    env.install_gettext_translations(labels, newstyle=True)  # type: ignore[attr-defined]
    env.globals["_"] = env.globals["gettext"] = _fast_gettext(labels.raw_gettext)
    env.filters["quoted"] = functools.partial(quoted, translate=labels.raw_gettext)
    env.globals.update(locale=labels.locale, lang=labels.lang, direction=labels.direction)
    env.globals["list_separator"] = labels.list_separator
    # the portal's language switcher: a page of a multi-locale build passes its own
    env.globals["languages"] = ()
    filters: Mapping[str, Callable[..., Any]] = {
        "md": _isolated(richtext.to_html, labels.direction),
        "md_inline": _isolated(richtext.to_inline_html, labels.direction, inline=True),
        "plain": richtext.plain,
        "bidi": _own_direction(labels.direction),
        "days_ago": _days_ago,
        "isodate": lambda d: d.isoformat(),
        "date": labels.date,
        "number": labels.number,
        "percent": labels.percent,
    }
    env.filters.update(filters)
    return env


def _fast_gettext(translate: Callable[[str], str]) -> Callable[..., str]:
    """Jinja's newstyle `gettext` in one call instead of four nested ones (`_` resolves
    `gettext`, which calls the translation through the context): a kit's index page asks
    for some sixty labels, and a thousand kits are made. Same result: the label, autoescaped
    where the template is, formats its %(name)s placeholders (always, so that `%%` is `%`)."""

    #: a label without variables, by (autoescape, msgid): formatted once, not on every
    #: call (a kit's index asks for the same two labels for each of its plays)
    plain: dict[tuple[bool, str], str] = {}

    @jinja2.pass_eval_context
    def gettext(eval_ctx: jinja2.nodes.EvalContext, string: str, /, **variables: Any) -> str:
        if not variables:
            done = plain.get((eval_ctx.autoescape, string))
            if done is not None:
                return done
        found: str = translate(string)
        if eval_ctx.autoescape:
            found = Markup(found)
        found = found % variables
        if not variables and type(string) is str and len(plain) < 4096:
            plain[(eval_ctx.autoescape, string)] = found
        return found

    return gettext


def _own_direction(page: str) -> Callable[[str], Markup]:
    """The `bidi` filter: plain text (a name, a contact line, a glossary term) escaped, with
    break chances in an overlong word as `md` gives them, and set apart in its own direction
    where it differs from the page's (richtext.direction_on), as `md` does for Markdown. On
    a right-to-left page a right-to-left text's numbers, e-mail addresses and Latin names are
    each set apart instead (richtext.ltr_runs), so "+1 555 0199" never reads "0199 555 1+"."""

    def bidi(text: str) -> Markup:
        # escaped, a word too long for any line given its break chances (richtext.breakable)
        own = richtext.direction_on(text, page)
        if own is not None and own != page:
            return Markup(f'<span dir="{own}">{richtext.breakable(text)}</span>')
        if page != "rtl":
            return Markup(richtext.breakable(text))
        return Markup(
            "".join(
                f'<span dir="ltr">{richtext.breakable(part)}</span>'
                if ltr
                else richtext.breakable(part)
                for part, ltr in richtext.ltr_runs(text)
            )
        )

    return bidi


def _isolated(
    render_md: Callable[[str, bool], Markup], page: str, inline: bool = False
) -> Callable[[str], Markup]:
    """Markdown set apart in its own direction where it reads against the page's, so that
    its punctuation stays at its end instead of landing at the page's start.

    On a right-to-left page: text written left to right (the source text where a
    translation is missing or stale, a list of product names: no right-to-left letter,
    richtext.direction_on); other text keeps the page's direction, each of its numbers,
    addresses and Latin names set apart left to right (richtext.to_html's `rtl`). On a
    left-to-right page: text mostly right to left (a Hebrew discovery question on an English
    card, whose "?" was drawn at its right end, after its last word), set as it would be on
    a right-to-left page."""
    tag = "span" if inline else "div"
    if page == "rtl":

        def render(md: str) -> Markup:
            if richtext.direction_on(richtext.plain(md), "rtl") != "ltr":
                return render_md(md, True)
            return Markup(f'<{tag} dir="ltr">{render_md(md, False)}</{tag}>')

        return render

    @functools.lru_cache(maxsize=4096)
    def render_ltr(md: str) -> Markup:
        # most text has no right-to-left letter: one search, and it is as it was
        if not richtext.RTL_LETTER.search(md):
            return render_md(md, False)
        if richtext.direction_on(richtext.plain(md), "ltr") != "rtl":
            return render_md(md, False)
        return Markup(f'<{tag} dir="rtl">{render_md(md, True)}</{tag}>')

    return render_ltr


def _template_location(tb: TracebackType | None) -> Location | None:
    """The innermost traceback frame that belongs to a template file, at its template line.

    Jinja rewrites the frames of template code so that they carry the template's file name
    and line number; it marks them with `__jinja_exception__` in their globals.
    """
    found: Location | None = None
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            found = Location(Path(tb.tb_frame.f_code.co_filename), tb.tb_lineno, 0)
        tb = tb.tb_next
    return found


def _named(env: jinja2.Environment, name: str) -> Location:
    """Line 1 of the file a template name stands for, when no frame says better."""
    try:
        _, filename, _ = env.loader.get_source(env, name) if env.loader else ("", None, None)
    except Exception:  # only a better place for a fault already being reported
        filename = None
    return Location(Path(filename or name), 1, 0)


#: the CPU seconds a page's template may run: two nested loops, each within the sandbox's
#: bounds (range() of 100,000), ran for ever, `check` too; a card renders in milliseconds
MAX_RENDER_SECONDS = 60.0
#: the most text a page's template may make, counted as it is made (a loop that repeated a
#: long string took all of the machine's memory before anything said so)
MAX_PAGE_CHARS = 64 << 20


class _PastLimit(Exception):
    """A template run past MAX_RENDER_SECONDS or MAX_PAGE_CHARS; raised where it runs, or
    with `loc`, where the template stood, when it was raised outside the template's code."""

    def __init__(self, message: str, loc: Location | None = None) -> None:
        super().__init__(message)
        self.loc = loc


def _suspended_location(generator: object) -> Location | None:
    """Where a paused template generator stands: the innermost frame of template code in
    its chain of `yield from` and includes, at its template line (None once finished)."""
    found: Location | None = None
    while generator is not None:
        frame = getattr(generator, "gi_frame", None)
        template = frame.f_globals.get("__jinja_template__") if frame is not None else None
        if frame is not None and isinstance(template, jinja2.Template):
            line = template.get_corresponding_lineno(frame.f_lineno)
            found = Location(Path(template.filename or template.name or ""), line, 0)
        inner = getattr(generator, "gi_yieldfrom", None)
        if inner is None and frame is not None:
            # Jinja runs an included template as `for event in gen: yield event`
            inner = frame.f_locals.get("gen")
        generator = inner if inspect.isgenerator(inner) else None
    return found


@contextlib.contextmanager
def _limited(seconds: float) -> Iterator[None]:
    """Stop the code run inside after `seconds` of the process's CPU time (SIGPROF), with
    _PastLimit raised where it is. Only the main thread can take a signal: elsewhere, and
    inside another limit (a page rendered while one renders), nothing is added."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
        or signal.getitimer(signal.ITIMER_PROF)[0] > 0
    ):
        yield
        return

    def stop(_signum: int, _frame: object) -> None:
        raise _PastLimit(
            f"the template ran for more than {seconds:g} s of CPU: does a loop never end?"
        )

    before = signal.signal(signal.SIGPROF, stop)
    # again every tenth of a second after the first: an exception a signal raises while a
    # finalizer runs (the garbage collector's, inside the loop) is printed and dropped
    signal.setitimer(signal.ITIMER_PROF, seconds, 0.1)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, before)


def _made(template: jinja2.Template, context: Mapping[str, Any]) -> str:
    """What `template` makes of `context`, stopped once it passes MAX_PAGE_CHARS."""
    pieces, size = [], 0
    generator = template.generate(**context)
    try:
        for piece in generator:
            size += len(piece)
            if size > MAX_PAGE_CHARS:
                raise _PastLimit(
                    f"the page is larger than {MAX_PAGE_CHARS >> 20} MB: does a loop repeat"
                    " without end?"
                )
            pieces.append(piece)
    except _PastLimit as exc:
        # the CPU limit's signal lands here, between two pieces, as often as in the
        # template's code; the paused generator still knows the template's line
        if exc.loc is None and _template_location(exc.__traceback__) is None:
            exc.loc = _suspended_location(generator)
        raise
    finally:
        getattr(generator, "close", lambda: None)()
    return "".join(pieces)


def render(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render template `name`; every failure becomes a located TemplateFault."""
    try:
        template = env.get_template(name)
        with _limited(MAX_RENDER_SECONDS):
            return _made(template, context)
    except TemplateFault:
        raise
    except _PastLimit as exc:
        loc = exc.loc or _template_location(sys.exc_info()[2]) or _named(env, name)
        raise TemplateFault(loc, str(exc)) from None
    except jinja2.TemplateSyntaxError as exc:
        # Jinja's lexer gives an unclosed comment's or raw block's file as the error's
        # `name` (Failure: error_class(message, lineno, filename)), and no `filename`
        path = Path(exc.filename) if exc.filename else _named(env, exc.name or name).file
        raise TemplateFault(
            Location(path, exc.lineno or 1, 0), f"syntax error: {_syntax_message(env, exc)}"
        ) from None
    except jinja2.TemplateNotFound as exc:
        loc = _template_location(sys.exc_info()[2]) or Location(Path(name), 0, 0)
        missing = str(exc.name or name)
        meant = did_you_mean(missing, _template_names(env, missing))
        raise TemplateFault(loc, f"template '{missing}' not found{meant}") from None
    except jinja2.UndefinedError as exc:
        loc = _template_location(sys.exc_info()[2]) or _named(env, name)
        lacking = _macro_lacking(env, exc, loc)
        if lacking is not None:
            raise lacking from None
        message = exc.message or ""
        if isinstance(exc, UnknownName):  # those the page was given, and the globals
            message += did_you_mean(exc.name, [*context, *env.globals])
        raise TemplateFault(loc, f"undefined: {message}") from None
    except SecurityError as exc:
        loc = _template_location(sys.exc_info()[2]) or _named(env, name)
        raise TemplateFault(loc, f"not allowed in a template: {exc}") from None
    except RecursionError:
        # a macro that calls itself, or templates that include or extend each other
        loc = _template_location(sys.exc_info()[2]) or _named(env, name)
        raise TemplateFault(loc, _recursion_message(env, loc.file)) from None
    except Exception as exc:
        # a fault raised while template code ran (1 // 0, a bad filter argument…) is the
        # template's; anything else is salesplay's own bug and must say so
        found = _template_location(sys.exc_info()[2])
        if found is None and not isinstance(exc, jinja2.TemplateError):
            raise
        where = found or _named(env, name)
        raise TemplateFault(where, f"{type(exc).__name__}: {exc}") from None


def _recursion_message(env: jinja2.Environment, file: Path) -> str:
    """Why templates recursed; for a project override that extends or includes its own name
    (which finds itself, not the built-in), how to reach the built-in instead."""
    said = "recursion too deep: a macro calls itself, or templates include each other"
    name = _project_name(env, file)
    if name is None or env.loader is None:
        return said
    try:
        source, _, _ = env.loader.get_source(env, name)
        named = set(meta.find_referenced_templates(env.parse(source)))
    except Exception:  # only a better message for a fault already being reported
        return said
    if name not in named:
        return said
    said = f"recursion too deep: '{name}' extends or includes itself"
    if not (THEME_DIR / name).is_file():
        return said
    return (
        f"{said} (a project template finds itself first); to build on the built-in one,"
        f' write {{% extends "default/{name}" %}}'
    )


def _project_name(env: jinja2.Environment, file: Path) -> str | None:
    """The template name a project override file is found by (None for the built-in theme's
    files, or a file no project folder holds)."""
    loaders = env.loader.loaders if isinstance(env.loader, jinja2.ChoiceLoader) else []
    for loader in loaders:
        if not isinstance(loader, _ContainedLoader):
            continue
        for folder in loader.folders:
            if folder.resolve() == THEME_DIR.resolve():
                continue
            try:
                return Path(file).resolve().relative_to(folder.resolve()).as_posix()
            except ValueError:
                continue
    return None


def project_sources(folder: Path | None) -> Iterator[tuple[str, Path, str]]:
    """(name, file, source) of each HTML template in a project's template folder, read as
    the loader reads one: inside the folder, at most MAX_TEMPLATE_BYTES, UTF-8. One that
    cannot be read so is left out; its fault is said where a page uses it."""
    if folder is None or not folder.is_dir() or folder.resolve() == THEME_DIR.resolve():
        return
    for path in sorted(folder.rglob("*.html")):
        name = path.relative_to(folder).as_posix()
        try:
            data = read_contained(path, folder, MAX_TEMPLATE_BYTES, "template", name, TemplateFault)
            source = data.decode("utf-8")
        except (TemplateFault, UnicodeDecodeError):
            continue
        yield name, path, source


def _macro_lacking(
    env: jinja2.Environment, exc: jinja2.UndefinedError, where: Location
) -> TemplateFault | None:
    """For a template that calls a macro an imported override lacks (`macros.html` copied
    without `play_ref`), the fault at the override that lacks it, which is the mistake: the
    built-in file of its name has the macro, the override does not."""
    loaders = env.loader.loaders if isinstance(env.loader, jinja2.ChoiceLoader) else []
    if not isinstance(exc, MacroMissing):
        return None
    macro = exc.macro

    def macros(source: str) -> set[str]:
        return {node.name for node in env.parse(source).find_all(jinja2.nodes.Macro)}

    for loader in loaders:
        if not isinstance(loader, _ContainedLoader):
            continue
        for folder in loader.folders:
            for name, path, source in project_sources(folder):
                builtin = THEME_DIR / name
                try:
                    if not builtin.is_file() or macro not in macros(builtin.read_text("utf-8")):
                        continue
                    if macro in macros(source):
                        continue
                except jinja2.TemplateSyntaxError:
                    continue  # only a better place for a fault already being reported
                theme = where.file.resolve()
                caller = (
                    f"default/{theme.relative_to(THEME_DIR.resolve()).as_posix()}"
                    if theme.is_relative_to(THEME_DIR.resolve())
                    else display_path(where.file)
                )
                return TemplateFault(
                    Location(path, 1, 0),
                    f"has no macro '{macro}', which {caller} (line {where.line}) calls: copy it"
                    f" from the built-in {name} (an override of {name} replaces every macro of"
                    " it)",
                )
    return None


_NO_FILTER = re.compile(r"No (filter|test) named '([\w.]+)'")


def _syntax_message(env: jinja2.Environment, exc: jinja2.TemplateSyntaxError) -> str:
    """Jinja's message, with the filter or test meant ("No filter named 'uppercase'": did
    you mean 'upper'?)."""
    message = exc.message or ""
    found = _NO_FILTER.match(message)
    if found:
        known = env.filters if found.group(1) == "filter" else env.tests
        message = message.rstrip(".") + did_you_mean(found.group(2), sorted(known))
    return message


def _template_names(env: jinja2.Environment, missing: str) -> list[str]:
    """The template names a lookup of `missing` could have meant: the built-in theme's under
    `default/` for such a name, else the project's and the theme's."""
    try:
        names = env.list_templates(extensions=("html",))
    except (TypeError, OSError):
        return []
    if missing.startswith("default/"):
        return [n for n in names if n.startswith("default/")]
    return [n for n in names if not n.startswith("default/")]


def css_safe(css: str) -> Markup:
    """CSS generated by us (colours validated as #RRGGBB) may go into a <style> unescaped."""
    return Markup(css)
