"""A YAML syntax error explained as the typing mistake behind it, with its fix and place."""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any, get_args, get_origin

import yaml
from pydantic import BaseModel

from salesplay.diagnostics import shortened
from salesplay.models import DOCUMENT_KINDS

#: line breaks as libyaml counts them (its marks count lines this way).
LINE_BREAK_RE = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _schema_fields() -> list[tuple[str, Any]]:
    """(name, annotation) of every field of every catalog kind, at any depth."""
    fields: list[tuple[str, Any]] = []
    pending: list[type[BaseModel]] = [k.model for k in DOCUMENT_KINDS]
    seen: set[type[BaseModel]] = set()
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            fields.append((info.alias or name, info.annotation))
            args = getattr(info.annotation, "__args__", (info.annotation,))
            for arg in (a for part in args for a in (part, *getattr(part, "__args__", ()))):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    pending.append(arg)
    return fields


def _text_lists(fields: list[tuple[str, Any]]) -> frozenset[str]:
    """Field names that hold a list of text wherever they appear (`next_steps`, `discovery`)."""
    texts: dict[str, set[bool]] = {}
    for name, annotation in fields:
        item = get_args(annotation)[0] if get_origin(annotation) is list else None
        if get_origin(item) is Annotated:
            item = get_args(item)[0]
        texts.setdefault(name, set()).add(item is str)
    return frozenset(name for name, kinds in texts.items() if kinds == {True})


@functools.cache
def known_fields() -> frozenset[str]:
    """The schema's field names, to tell a mis-indented field from a colon in text (found
    when the first error is explained: a build without one never walks the models)."""
    return frozenset(name for name, _ in _schema_fields())


@functools.cache
def text_lists() -> frozenset[str]:
    """The fields whose value is a list of text: a `- ` item after one's inline value is
    its own."""
    return _text_lists(_schema_fields())


#: a field glued to its value (`summary:Text`), which YAML reads as one word.
_GLUED_RE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*):(?=\S)")
#: a line that starts with `field:` (after its indentation and any `- `).
_KEY_RE = re.compile(r"^([^\s:#'\"][^:#]*?|'[^']*'|\"[^\"]*\"):(?:\s|$)")
#: a field name with no colon after it (`why_now Bunker prices rose`), then its value.
_BARE_FIELD_RE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*)(?:[ \t]+(.*))?$")


class _Lines:
    """The source split into lines as libyaml counts them, for explaining a parse error."""

    def __init__(self, text: str) -> None:
        self.lines = LINE_BREAK_RE.split(text)

    def __getitem__(self, line: int) -> str:
        """Line `line` (zero-based, as in marks); empty past the end."""
        return self.lines[line] if 0 <= line < len(self.lines) else ""

    @staticmethod
    def indent(line: str) -> int:
        return len(line) - len(line.lstrip(" "))

    def is_content(self, line: int) -> bool:
        body = self[line].strip()
        return bool(body) and not body.startswith("#")

    def previous(self, line: int) -> int | None:
        """The nearest line above `line` that holds YAML (not blank, not a comment)."""
        for n in range(line - 1, -1, -1):
            if self.is_content(n):
                return n
        return None


def _item_body(line: str) -> str:
    """The line without its indentation and list markers."""
    body = line.strip()
    while body == "-" or body.startswith(("- ", "-\t")):
        body = body[1:].lstrip()
    return body


def _key_of(line: str) -> str | None:
    """The field a line starts with (`- play: x` → play), if it starts with one."""
    found = _KEY_RE.match(_item_body(line))
    return found.group(1).strip("'\"").strip() if found else None


def explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, int, int] | None:
    """A YAML parse error in plain words with its fix, and where (one-based); None if unknown.

    libyaml names the grammar rule that failed ("did not find expected key"); a marketer
    needs the typing mistake behind it, which the source around the mark shows.
    """
    mark, context = exc.problem_mark, exc.context_mark
    if mark is None:
        return None
    lines = _Lines(text)
    problem = exc.problem or ""
    row, col = mark.line, mark.column
    line = lines[row]
    # a tab anywhere in the indentation of the failing line: YAML never indents with tabs
    lead = line[: len(line) - len(line.lstrip(" \t"))]
    if "\t" in lead or line[col : col + 1] == "\t":
        tab = lead.index("\t") if "\t" in lead else col
        return "a tab character: indent with spaces", row + 1, tab + 1
    if isinstance(exc, yaml.parser.ParserError):
        slip = _quote_slip(
            lines, text, row, col, context is not None and "flow" in str(exc.context)
        )
        if slip is not None:
            return slip
    if "cannot start any token" in problem or "expected alphabetic" in problem:
        # `"Acme" *rocks*`: the quote closed the text, the rest cannot follow it
        at = context if context is not None and "alias" in str(exc.context) else mark
        before = lines[at.line][: at.column].rstrip()
        if before.strip() and before[-1] in "\"']}" and ":" in before:
            return _after_closing(before[-1]), at.line + 1, at.column + 1
    if "cannot start any token" in problem and line[col : col + 1].strip():
        return _starts_text(line[col]), row + 1, col + 1
    if problem.startswith("found undefined alias"):
        # `*bold* text` or `*Harbor Lane`: Markdown emphasis read as a YAML alias
        return _starts_text("*"), row + 1, col + 1
    if line.lstrip().startswith("%") and ("directive" in problem or "non-alphabetical" in problem):
        first = lines.indent(line)
        return _starts_text("%"), row + 1, first + 1
    if "expected node content" in problem and line[col : col + 1] in tuple("]},"):
        return _starts_text(line[col]), row + 1, col + 1
    if "block sequence entries are not allowed" in problem:
        key = _key_of(line)
        under = f" under '{key}:'" if key else ""
        return (
            f"a list item cannot start on the line of its field: put each '- ' item on a line"
            f" of its own{under}, indented",
            row + 1,
            col + 1,
        )
    block = re.search(r"([|>])[-+0-9]*\s*$", line[:col])
    if "expected comment or line break" in problem and block:
        mark_char = block.group(1)
        return (
            f"a '{mark_char}' text block starts on the next line: move the text below it,"
            f" indented, or put text that starts with '{mark_char}' in quotes",
            row + 1,
            col + 1,
        )
    if "expected <document start>" in problem:
        top = next((n for n in range(row + 1) if lines.is_content(n)), row)
        if lines.indent(lines[top]) > 0:
            return (
                _indentation(top + 1, "top-level fields start at the beginning of the line"),
                top + 1,
                1,
            )
        return _indentation(row + 1), row + 1, lines.indent(line) + 1
    if context is not None and exc.context in (
        "while scanning an alias",
        "while scanning an anchor",
    ):
        char = lines[context.line][context.column : context.column + 1] or "*"
        return _starts_text(char), context.line + 1, context.column + 1
    if context is not None and "while parsing a flow" in (exc.context or ""):
        opening = lines[context.line][context.column : context.column + 1]
        comment = _comment_in_flow(lines, context.line, max(row, context.line))
        if comment is not None:
            # `{primary: #0A4D68, …}`: the comment swallowed the rest of the line, '}' too
            return COMMENT_HINT, comment[0] + 1, comment[1] + 1
        bracket_line, bracket_column = context.line, context.column
        opened = _open_bracket(lines, context.line, context.column) if not opening else None
        if opened is not None:
            # the file ends inside the brackets (`bad: [` its last line): the place is past
            # its end, where no '- ' item stands; the bracket left open is the fault
            bracket_line, bracket_column, opening = opened
        if opening not in ("[", "{"):
            # a `- ` item inside `[…]`: name the bracket it sits in
            start = _opener_before(lines, context.line, context.column)
            inside = f" inside the '[' or '{{' of line {start}" if start else ""
            return (
                f"a '- ' item{inside}: separate items with commas, or put the text in quotes",
                context.line + 1,
                context.column + 1,
            )
        closing = "]" if opening == "[" else "}"
        what = "list" if opening == "[" else "mapping"
        return (
            f"a {what} opened with '{opening}' is never closed: end it with '{closing}',"
            f" or put text that starts with '{opening}' in quotes",
            bracket_line + 1,
            bracket_column + 1,
        )
    if context is not None and exc.context == "while scanning a quoted scalar":
        quote = lines[context.line][context.column : context.column + 1] or '"'
        return (
            f"a quote opened here is never closed: end the text with a closing {quote}",
            context.line + 1,
            context.column + 1,
        )
    if "unknown escape character" in problem:
        return (
            "a backslash in double quotes starts an escape: write \\\\ for a backslash,"
            " or use single quotes",
            row + 1,
            col + 1,
        )
    if "mapping values" in problem or "expected key" in problem or "expected ':'" in problem:
        near = [row, lines.previous(row), context.line if context is not None else None]
        for n in dict.fromkeys(n for n in near if n is not None):
            glued = _GLUED_RE.match(lines[n])
            if glued and glued.group(2) in known_fields():
                return (
                    f"no space after '{glued.group(2)}:': put a space between the colon and"
                    " the value",
                    n + 1,
                    glued.end() + 1,
                )
    if "could not find expected ':'" in problem and context is not None:
        # `why_now Bunker prices rose`: the whole line is a key that never gets its colon
        bare = _no_colon(lines, context.line)
        if bare is not None:
            return bare
    if "mapping values are not allowed" in problem:
        # the line without a colon ran on as text into the next field's `: `
        above = lines.previous(row)
        bare = _no_colon(lines, above) if above is not None else None
        if bare is not None:
            return bare
    misplaced = _misplaced_item(lines, row)
    if misplaced is not None and (
        "expected key" in problem or "mapping values" in problem or "'-' indicator" in problem
    ):
        return misplaced
    if "mapping values are not allowed" in problem:
        return _colon(lines, row, col)
    if "expected key" in problem:
        before = line[:col].rstrip()
        if before.strip() and before[-1] in "\"']}":
            return _after_closing(before[-1]), row + 1, col + 1
    if "could not find expected ':'" in problem and context is not None:
        row = context.line
    if "expected key" in problem or "'-' indicator" in problem or "expected ':'" in problem:
        first = lines.indent(lines[row]) + 1
        return _indentation(row + 1), row + 1, first
    return None


def _quoted_before(text: str, row: int, col: int) -> yaml.ScalarToken | None:
    """The quoted text that ends just before line:column `row`:`col` (zero-based) on that
    line, with only spaces between; None if what comes before is anything else."""
    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    last: yaml.Token | None = None
    try:
        for token in yaml.scan(text, Loader=base):
            if (token.start_mark.line, token.start_mark.column) >= (row, col):
                break
            last = token
    except yaml.YAMLError:
        pass  # the scanner's own slip lies past the parser's: the tokens before it stand
    if not isinstance(last, yaml.ScalarToken) or last.style not in ("'", '"'):
        return None
    end = last.end_mark
    return last if end.line == row and end.column <= col else None


#: a field inside quoted text, as a quote left open swallows it: `, response: ` in a `{…}`
_FIELD_IN_TEXT_RE = re.compile(r"(?:^|,)\s*([A-Za-z_][\w-]*):\s")


def _quote_slip(
    lines: _Lines, text: str, row: int, col: int, flow: bool
) -> tuple[str, int, int] | None:
    """A quote that ends the text early, or one never closed, behind a parse error at
    row:col: libyaml says "expected ',' or '}'" or "expected key" at whatever follows the
    quoted text it read, which is not where the slip is.

    - the quoted text swallowed fields (`why_now: "Insurers now ask` with no closing quote
      reads on to the next quote, lines below): the quote opened there is never closed;
    - a letter right after the closing quote: an apostrophe in '…' (`'We've'`), or an inner
      " in "…" (`"We use "Acme" now"`), ended the text, said at that quote;
    - a space, then more: text after the closing quote (or a missing comma, inside […]).
    """
    line = lines[row]
    if not line[col : col + 1].strip() or line[col] in ",]}:#":
        return None
    token = _quoted_before(text, row, col)
    if token is None:
        return None
    start, end, quote = token.start_mark, token.end_mark, token.style
    first = lines[start.line]
    opened = lines.indent(first)
    spans = [lines[n] for n in range(start.line, end.line + 1)]
    spans[-1] = spans[-1][: end.column]
    spans[0] = spans[0][start.column :]
    swallowed = any(
        (_key_of(lines[n]) is not None or lines[n].lstrip().startswith("- "))
        and lines.indent(lines[n]) <= opened
        for n in range(start.line + 1, end.line + 1)
    ) or (
        flow
        and any(m.group(1) in known_fields() for m in _FIELD_IN_TEXT_RE.finditer(" ".join(spans)))
    )
    if swallowed:
        return (
            f"a quote opened here is never closed: end the text with a closing {quote}",
            start.line + 1,
            start.column + 1,
        )
    at = end.column - 1  # the quote that ended the text
    if end.column == col:
        if quote == "'" and line[at - 1 : at].isalnum() and line[col].isalnum():
            word = re.search(r"\w*$", line[:at])
            after = re.match(r"\w*", line[col:])
            typed = (word.group() if word else "") + "'" + (after.group() if after else "")
            twice = typed.replace("'", "''")
            return (
                f"the text in '…' ends at the apostrophe in {typed}: put the text in double"
                f" quotes, or write the apostrophe twice ('{twice}')",
                row + 1,
                at + 1,
            )
        if quote == '"':
            return (
                'an inner " ends the quoted text: put the text in single quotes, or write \\"'
                ' for each " inside it',
                row + 1,
                at + 1,
            )
        return (
            "an inner ' ends the quoted text: put the text in double quotes, or write each '"
            " inside it twice ('')",
            row + 1,
            at + 1,
        )
    fix = (
        ", or put a comma before it if it starts the next item"
        if flow
        else " (double quotes if it holds an apostrophe)"
    )
    return (
        f"text goes on after the closing quote: put all of the text in one pair of quotes{fix}",
        row + 1,
        col + 1,
    )


def _no_colon(lines: _Lines, row: int) -> tuple[str, int, int] | None:
    """`why_now Bunker prices rose`: a field name and its value with no colon between them.

    Only a known field name lined up with a field beside it: text that went on at the wrong
    indentation starts with any word and is an indentation slip.
    """
    line = lines[row]
    bare = _BARE_FIELD_RE.match(line)
    if bare is None or bare.group(2) not in known_fields() or _key_of(line) is not None:
        return None
    column = len(bare.group(1))
    beside = [lines.previous(row), _next_content(lines, row)]
    if not any(
        n is not None
        and _key_of(lines[n]) is not None
        and len(lines[n]) - len(_item_body(lines[n])) == column
        for n in beside
    ):
        return None
    name, value = bare.group(2), (bare.group(3) or "").strip()
    example = f"{name}: {shortened(value)}" if value else f"{name}:"
    return (
        f"no colon after '{name}': put a colon after the field name, e.g. {example}",
        row + 1,
        column + len(name) + 1,
    )


def _next_content(lines: _Lines, line: int) -> int | None:
    """The nearest line below `line` that holds YAML (not blank, not a comment)."""
    for n in range(line + 1, len(lines.lines)):
        if lines.is_content(n):
            return n
    return None


#: a line whose value starts with '[' or '{' (after any `- ` and `field: `).
_FLOW_VALUE_RE = re.compile(r"^\s*(?:-\s+)*(?:[^\s#'\"\[{][^:#]*?:\s+)?[\[{]")
#: a value cut short by `#`, in the words validation uses for `primary: #0A4D68`.
COMMENT_HINT = "a '#' after a space starts a comment; put the text in quotes"


def _comment_in_flow(lines: _Lines, row: int, end: int) -> tuple[int, int] | None:
    """(line, column) of a comment inside a '[' or '{' opened on line `row` or above it.

    libyaml's mark for an unclosed bracket may be at the end of the file; the brackets are
    found from the values that start with one, read forward past quotes.
    """
    for n in range(row, -1, -1):
        opener = _FLOW_VALUE_RE.match(lines[n])
        if opener is not None:
            found = _comment_from(lines, n, opener.end() - 1, end)
            if found is not None:
                return found
    return None


def _comment_from(lines: _Lines, row: int, col: int, end: int) -> tuple[int, int] | None:
    """(line, column) of a comment hiding a closing bracket inside the `[` or `{` at row:col."""
    quote, depth = "", 0
    for n in range(row, end + 1):
        text = lines[n]
        escaped = False
        for i in range(col if n == row else 0, len(text)):
            char = text[i]
            if quote:
                # a quote ends at its twin (two single quotes in '…' end and reopen it);
                # in "…" a backslash escapes the character after it
                if escaped:
                    escaped = False
                elif char == "\\" and quote == '"':
                    escaped = True
                elif char == quote:
                    quote = ""
            elif char in "\"'":
                quote = char
            elif char in "[{":
                depth += 1
            elif char in "]}":
                depth -= 1
                if depth == 0:
                    return None
            elif char == "#" and text[i - 1 : i] in (" ", "\t"):
                # the culprit hides the bracket that would close it; a real comment does not
                if any(c in text[i:] for c in "]}"):
                    return n, i
                break
    return None


def _opener_before(lines: _Lines, row: int, col: int) -> int | None:
    """The line (one-based) of the nearest '[' or '{' before a place that is still open."""
    found = _open_bracket(lines, row, col)
    return None if found is None else found[0] + 1


def _open_bracket(lines: _Lines, row: int, col: int) -> tuple[int, int, str] | None:
    """(line, column, the bracket), zero-based, of the nearest '[' or '{' before a place
    that is still open."""
    depth = 0
    for n in range(row, -1, -1):
        text = lines[n][:col] if n == row else lines[n]
        for at in range(len(text) - 1, -1, -1):
            char = text[at]
            if char in "]}":
                depth += 1
            elif char in "[{":
                if depth == 0:
                    return n, at, char
                depth -= 1
    return None


def _starts_text(char: str) -> str:
    return f"text cannot start with '{char}': put the text in quotes"


def _after_closing(char: str) -> str:
    if char in "\"'":
        return (
            "text goes on after the closing quote: put all of the text in one pair of quotes"
            " (double quotes if it holds an apostrophe)"
        )
    return f"text goes on after a closing '{char}': put the whole text in quotes"


def _indentation(line: int, why: str = "") -> str:
    why = why or "line it up with the fields or list items it belongs with"
    return f"check the indentation of line {line}: {why}"


def _colon(lines: _Lines, row: int, col: int) -> tuple[str, int, int]:
    """'mapping values are not allowed': a second `: ` on a line, or a `: ` on a continued one."""
    line = lines[row]
    body = _item_body(line[:col])
    if ": " in body or ":\t" in body:
        key = _key_of(line)
        rest = _item_body(line)
        if key in known_fields():
            rest = rest.split(":", 1)[1].strip()
            example = f"{key}: {_quoted(rest)}"
        else:
            example = _quoted(rest)
        return (
            f"a colon followed by a space inside text: put the text in quotes, e.g. {example}",
            row + 1,
            col + 1,
        )
    word = body.strip()
    above = lines.previous(row)
    owner = _key_of(lines[above]) if above is not None else None
    if word in known_fields():
        why = f"'{word}' sits under '{owner}', which already has a value" if owner else ""
        return _indentation(row + 1, why), row + 1, lines.indent(line) + 1
    return (
        f"a colon followed by a space inside text (the text goes on from line {row}):"
        " put the whole text in quotes",
        row + 1,
        col + 1,
    )


def _quoted(text: str) -> str:
    # curly quotes pasted from a word processor are not YAML's: the straight ones replace them
    if len(text) > 1 and text[0] in "“‘„" and text[-1] in "”’“":
        text = text[1:-1]
    short = shortened(text)
    return f"'{short}'" if '"' in short and "'" not in short else f'"{short}"'


def _misplaced_item(lines: _Lines, row: int) -> tuple[str, int, int] | None:
    """A `- item` under a field that already holds a value: name the list it belongs to.

    Typically a step typed at the end of a path file, after `audience:`; its home is the
    nearest list above whose items start with the same field.
    """
    line = lines[row]
    if not line.strip().startswith("-"):
        return None
    indent = lines.indent(line)
    above = row
    while True:
        found = lines.previous(above)
        if found is None:
            return None
        above = found
        if lines.indent(lines[above]) <= indent and not lines[above].strip().startswith("-"):
            break
    owner = _key_of(lines[above])
    value = lines[above].split(":", 1)[1].strip() if owner else ""
    if owner is None or not value or value.startswith(("|", ">", "#")):
        return None
    after = f"this list item comes after '{owner}: {shortened(value)}'"
    if owner in text_lists() and _key_of(line) is None:
        # `next_steps: Run a pilot` then `- Send the report`: the item is the field's own,
        # not one of an earlier list's; the value on the field's line is what stands apart
        if value.startswith("["):
            return (
                f"{after}, a list in brackets: put the item inside the brackets after a comma,"
                f" or write every item on a '- ' line of its own under '{owner}:'",
                row + 1,
                indent + 1,
            )
        return (
            f"{after}, which is not a list: to make '{owner}' a list, move its value to a '- '"
            f" line of its own under '{owner}:'",
            row + 1,
            indent + 1,
        )
    where = f"{after}, which is not a list"
    home = _home_of(lines, row, above)
    if home is None:
        return f"{where}: move it under the list it belongs to", row + 1, indent + 1
    parent, last = home
    return (
        f"{where}: it belongs under '{parent}:' (move it up, after line {last})",
        row + 1,
        indent + 1,
    )


def _home_of(lines: _Lines, row: int, before: int) -> tuple[str, int] | None:
    """(key, last line) of the nearest list above line `before` with items like line `row`."""
    key = _key_of(lines[row])
    for n in range(before - 1, -1, -1):
        item = lines[n]
        if not item.strip().startswith("-") or _key_of(item) != key:
            continue
        item_indent = lines.indent(item)
        parent = n
        while True:
            found = lines.previous(parent)
            if found is None:
                return None
            parent = found
            if lines.indent(lines[parent]) < item_indent or (
                lines.indent(lines[parent]) == item_indent
                and not lines[parent].strip().startswith("-")
            ):
                break
        name = _key_of(lines[parent])
        if name is None:
            return None
        base, last = lines.indent(lines[parent]), n
        for m in range(n + 1, before):
            if not lines.is_content(m):
                continue
            indent = lines.indent(lines[m])
            # an item of a list written without indentation stands at its key's column
            if not (
                indent > base or (indent == base == item_indent and lines[m].lstrip()[:1] == "-")
            ):
                break
            last = m
        return name, last + 1
    return None
