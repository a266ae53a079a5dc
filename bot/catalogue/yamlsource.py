"""Safe YAML reading that remembers where every key and value came from.

PyYAML's constructors throw positions away and silently keep the last of two duplicate
keys; we compose the node graph instead and build plain data ourselves, so that every
problem can be reported as ``path:line:column``.
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 1_000_000
"""A catalogue file is hand-written text; anything bigger is a mistake or an attack."""
MAX_NODES = 200_000
"""Node visits allowed when expanding aliases: stops a "billion laughs" alias bomb early."""

MAX_DEPTH = 50
"""A catalogue nests five or six levels; hundreds would exhaust Python's stack."""

YamlPath = tuple[str | int, ...]

_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser is ten times faster and keeps line and column marks."""

_STR = "tag:yaml.org,2002:str"
_SAFE_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass
class ParsedFile:
    """The plain data of one file and the position of each value and each mapping key."""

    path: str
    data: Any = None
    values: dict[YamlPath, yaml.Mark] = field(default_factory=dict)
    keys: dict[YamlPath, yaml.Mark] = field(default_factory=dict)
    problems: list[tuple[Position, str]] = field(default_factory=list)

    def position(self, path: YamlPath, *, key: bool = False) -> Position:
        """Where ``path`` is, or the nearest enclosing value that exists."""
        while path:
            found = (self.keys if key else self.values).get(path) or self.values.get(path)
            if found:
                return _mark(found)
            path = path[:-1]
        root = self.values.get(())
        return _mark(root) if root else Position(1, 1)


class _TooManyNodes(Exception):
    pass


def _mark(mark: yaml.Mark) -> Position:
    return Position(mark.line + 1, mark.column + 1)


class _Builder:
    def __init__(self, parsed: ParsedFile) -> None:
        self.parsed = parsed
        self.visits = 0
        self.scalars = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: YamlPath) -> Any:
        self.visits += 1
        if self.visits > MAX_NODES:
            raise _TooManyNodes
        self.parsed.values[path] = node.start_mark
        if node.tag == _STR:
            return node.value
        if node.tag not in _SAFE_TAGS:
            self.parsed.problems.append(
                (_mark(node.start_mark), f"tag {node.tag!r} is not allowed (plain YAML only)")
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        try:
            return self.scalars.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:
            self.parsed.problems.append((_mark(node.start_mark), f"bad value: {exc}"))
            return None

    def _mapping(self, node: yaml.MappingNode, path: YamlPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, yaml.Mark] = {}
        for key_node, value_node in node.value:
            here = key_node.start_mark
            if not isinstance(key_node, yaml.ScalarNode):
                self.parsed.problems.append((_mark(here), "a key must be a plain word"))
                continue
            key = str(key_node.value)
            if key in first_seen:
                first_line = first_seen[key].line + 1
                self.parsed.problems.append(
                    (_mark(here), f"duplicate key {key!r} (first given at line {first_line})")
                )
                continue
            first_seen[key] = here
            self.parsed.keys[(*path, key)] = here
            result[key] = self.build(value_node, (*path, key))
        return result


def _decode(raw: bytes, parsed: ParsedFile) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        parsed.problems.append(
            (Position(line, column), "the file is not UTF-8 text (save it as UTF-8)")
        )
        return None


def _tabs(text: str, parsed: ParsedFile) -> set[int]:
    lines: set[int] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            lines.add(number)
            parsed.problems.append(
                (
                    Position(number, indent.index("\t") + 1),
                    "tab used for indentation; YAML needs spaces",
                )
            )
    return lines


def parse_yaml(path: Path, display: str) -> ParsedFile:
    """Read one catalogue file; problems are collected, never raised."""
    parsed = ParsedFile(display)
    try:
        size = path.stat().st_size
        raw = path.read_bytes() if size <= MAX_FILE_BYTES else b""
    except OSError as error:  # gone since the folder was listed, or not readable
        parsed.problems.append((Position(1, 1), f"cannot be read: {error.strerror or error}"))
        return parsed
    if size > MAX_FILE_BYTES:
        parsed.problems.append(
            (Position(1, 1), f"file too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
        )
        return parsed
    text = _decode(raw, parsed)
    if text is None:
        return parsed
    tab_lines = _tabs(text, parsed)
    gc.disable()  # hundreds of thousands of small objects, none of them cyclic garbage
    try:
        return _compose_and_build(text, parsed, tab_lines)
    finally:
        gc.enable()


def _unclosed_quote(lines: list[str], first: int, last: int) -> Position | None:
    """The nearest line at or before ``last`` (not before ``first``) whose double quotes do not
    pair up: where a quote was opened and never closed."""
    for index in range(min(last, len(lines) - 1), max(first, 0) - 1, -1):
        line = lines[index].replace("\\\\", "").replace('\\"', "")
        line = SINGLE_QUOTED.sub("", COMMENT.sub("", line))  # quotes there are just text
        if line.count('"') % 2:
            return Position(index + 1, line.index('"') + 1)
    return None


COMMENT = re.compile(r"(^|\s)#.*$")
SINGLE_QUOTED = re.compile(r"'[^']*'")


def explain_syntax(exc: yaml.MarkedYAMLError, text: str) -> tuple[Position, str]:
    """Where the mistake is and what it is, in words a coordinator knows.

    libyaml notices a mistake later than it is made: an unclosed quote shows up lines
    below, a missing ':' on the next line. The mark where the broken construct began
    (``context_mark``) and the quotes on the lines before tell where to look."""
    problem, context = exc.problem or "", exc.context or ""
    pmark, cmark = exc.problem_mark, exc.context_mark
    lines = text.split("\n")
    start = cmark.line if cmark else (pmark.line if pmark else 0)
    end = pmark.line if pmark else start
    quote = _unclosed_quote(lines, start - 1, end)
    if quote:
        return quote, 'this quote (") is never closed: add a " at the end of the text'
    if cmark and "flow sequence" in context:
        return _mark(cmark), "this '[' is never closed: end the list with ']' on the same line"
    if cmark and "flow mapping" in context:
        return _mark(cmark), "this '{' is never closed: end it with '}' on the same line"
    if cmark and "simple key" in context and "':'" in problem:
        word = lines[cmark.line].strip().split(" ")[0] if cmark.line < len(lines) else ""
        return _mark(cmark), f"a ':' is missing after {word!r} (write '{word}: value')"
    if "<block end>" in problem or "'-' indicator" in problem:
        at = _mark(pmark) if pmark else Position(1, 1)
        return at, (
            "this line is not lined up with the lines above: indent it with the same number "
            "of spaces as the other keys of the same entry"
        )
    at = _mark(pmark or cmark) if (pmark or cmark) else Position(1, 1)
    return at, f"the text is not valid YAML here ({problem or context})"


def _too_deep(text: str) -> Position:
    """Where nesting first goes deeper than MAX_DEPTH (read as a flat stream of events, which
    needs no recursion)."""
    depth = 0
    for event in yaml.parse(text, Loader=_FAST_LOADER):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return _mark(event.start_mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return Position(1, 1)


def _compose_and_build(text: str, parsed: ParsedFile, tab_lines: set[int]) -> ParsedFile:
    try:
        node = yaml.compose(text, Loader=_FAST_LOADER)
        if node is not None:
            parsed.data = _Builder(parsed).build(node, ())
    except RecursionError:
        parsed.data = None
        parsed.problems.append(
            (_too_deep(text), f"nested more than {MAX_DEPTH} levels deep: a catalogue never is")
        )
        return parsed
    except yaml.MarkedYAMLError as exc:
        where, message = explain_syntax(exc, text)
        if where.line not in tab_lines:
            parsed.problems.append((where, message))
        return parsed
    except yaml.YAMLError as exc:
        parsed.problems.append((Position(1, 1), f"YAML syntax: {exc}"))
        return parsed
    except _TooManyNodes:
        parsed.problems.append(
            (
                Position(1, 1),
                f"too many values once aliases are expanded (over {MAX_NODES:,}): "
                "an alias bomb? Write the values out instead of using *aliases",
            )
        )
        parsed.data = None
        return parsed
    if node is None:
        parsed.data = {}
    return parsed
