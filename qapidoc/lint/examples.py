"""Example rules (QD4xx): ``.. qmp-example::`` transcripts against the schema.

Finds each example block, splits it into ``->`` / ``<-`` messages, parses
each as JSON with elisions (``...`` or ``... text ...``), then checks the
command or event exists, member names at every level, mandatory arguments,
enum values and event timestamps.  Findings point at the offending line.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from qapidoc.core.record import field, record
from qapidoc.core.source import Severity
from qapidoc.lint.engine import Finding, LintContext, lint_rule
from qapidoc.schema.model import (
    AlternateType,
    BuiltinType,
    Command,
    Definition,
    DocComment,
    EnumType,
    Event,
    Member,
    Schema,
    StructType,
    TypeRef,
    UnionType,
)

# --------------------------------------------------------------------------
# Transcripts


@record(frozen=False, slots=False)
class JObject:
    """A JSON object; `elided` when ``...`` stands for more members."""

    members: dict[str, tuple[object, int]] = field(default_factory=dict)
    elided: bool = False
    pos: int = 0


@record(frozen=False, slots=False)
class JArray:
    items: list[tuple[object, int]] = field(default_factory=list)
    elided: bool = False


ELIDED = object()
"""A value that an elision stands for."""


class TranscriptError(Exception):
    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos = pos


_ELISION = re.compile(r"\.\.\.(?:[^\n.{}\[\]\"]*?\.\.\.)?")
"""``...`` or ``... text ...`` (text without JSON punctuation)."""
_TOKEN = re.compile(r"""\s*(?:
    (?P<s>"(?:[^"\\\n]|\\.)*")
  | (?P<e>\.\.\.(?:[^\n.{}\[\]"]*?\.\.\.)?)
  | (?P<p>[{}\[\]:,])
  | (?P<w>true|false|null)
  | (?P<n>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
  | (?P<x>\S))""", re.X)
_WORDS = {"true": True, "false": False, "null": None}
_KINDS = {i: name for name, i in _TOKEN.groupindex.items()}
"""Group number → token kind: a match is asked by number, the cheaper way."""


class _Parser:
    """Recursive descent over tokens: (kind, text, position)."""

    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str, int]] = []
        append = self.tokens.append
        kinds = _KINDS
        for m in _TOKEN.finditer(text):
            group = m.lastindex or 6
            append((kinds[group], m.group(group), m.start(group)))
        self.tokens.append(("end", "", len(text.rstrip())))
        self.k = 0

    @property
    def pos(self) -> int:
        return self.tokens[self.k][2]

    def at_end(self) -> bool:
        kind = self.tokens[self.k][0]
        return kind == "end" or (kind == "e" and self.tokens[self.k + 1][0] == "end")

    def take(self, text: str) -> bool:
        if self.tokens[self.k][1] == text and self.tokens[self.k][0] == "p":
            self.k += 1
            return True
        return False

    def elision(self) -> bool:
        if self.tokens[self.k][0] == "e":
            self.k += 1
            return True
        return False

    def value(self) -> object:
        kind, text, pos = self.tokens[self.k]
        if kind == "p" and text in "{[":
            return self.obj() if text == "{" else self.arr()
        self.k += 1
        if kind == "s":
            return text[1:-1]
        if kind == "e":
            return ELIDED
        if kind == "w":
            return _WORDS[text]
        if kind == "n":
            return float(text)
        self.k -= 1
        if text == '"':
            raise TranscriptError(pos, "unterminated string")
        raise TranscriptError(pos, "expected a JSON value")

    def obj(self) -> JObject:
        out = JObject(pos=self.pos)
        self.k += 1
        while True:
            if self.elision():
                out.elided = True
                self.take(",")
                continue
            if self.take("}"):
                return out
            kind, key, key_pos = self.tokens[self.k]
            if kind != "s":
                raise TranscriptError(key_pos, "expected a member name or '}'")
            self.k += 1
            if not self.take(":"):
                raise TranscriptError(self.pos, f"expected ':' after {key}")
            out.members[key[1:-1]] = (self.value(), key_pos)
            if not self.take(",") and self.tokens[self.k][1] != "}" and (
                    self.tokens[self.k][0] != "e"):
                raise TranscriptError(self.pos, "expected ',' or '}'")

    def arr(self) -> JArray:
        out = JArray()
        self.k += 1
        while True:
            if self.elision():
                out.elided = True
                self.take(",")
                continue
            if self.take("]"):
                return out
            pos = self.pos
            out.items.append((self.value(), pos))
            if not self.take(",") and self.tokens[self.k][1] != "]" and (
                    self.tokens[self.k][0] != "e"):
                raise TranscriptError(self.pos, "expected ',' or ']'")


@record(frozen=False, slots=False)
class Message:
    """One ``->`` or ``<-`` message: direction, text, and where each of
    its lines came from (offset in `text`, doc line, column of offset)."""

    client: bool
    text: str
    starts: list[tuple[int, int, int]]

    def add(self, text: str, line: int, col: int) -> None:
        self.starts.append((len(self.text), line, col))
        self.text += text + "\n"

    @property
    def depth(self) -> int:
        """Brackets opened and not closed (outside strings) so far."""
        text = self.text
        if '"' in text:
            text = _STRING.sub("", text)
        return (text.count("{") + text.count("[")
                - text.count("}") - text.count("]"))

    def at(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, (pos, 1 << 30, 0)) - 1
        offset, line, col = self.starts[max(i, 0)]
        return line, col + pos - offset


_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
"""A string on one line: its brackets are not the message's."""


_DIRECTIVE = re.compile(r"( *)\.\. qmp-example::")


def transcripts(doc: DocComment) -> Iterator[list[Message]]:
    """The messages of each ``.. qmp-example::`` block in a doc comment."""
    lines = doc.lines  # (line, text) pairs
    n = len(lines)
    i = 0
    while i < n:
        text = lines[i][1]
        m = _DIRECTIVE.match(text) if "qmp-example" in text else None
        if m is None:
            i += 1
            continue
        deeper = " " * (len(m.group(1)) + 1)
        j = i + 1
        while j < n:
            text = lines[j][1]
            if text and not text.startswith(deeper) and text.strip():
                break
            j += 1
        yield _messages(lines[i + 1:j])
        i = j


def _messages(body: Sequence[tuple[int, str]]) -> list[Message]:
    out: list[Message] = []
    cur: Message | None = None
    for number, text in body:
        stripped = text.lstrip(" ")
        if stripped[:2] in ("->", "<-"):
            cur = Message(stripped[0] == "-", "", [])
            out.append(cur)
            cur.add(stripped[2:], number, len(text) - len(stripped) + 2)
        elif cur is not None and stripped:
            cur.add(text, number, 0)  # after a closed message: text after it
        elif not stripped and cur is not None and cur.depth <= 0:
            cur = None
    return out


_NOT_QUICK = object()


@lru_cache(maxsize=1)
def _decoder() -> json.JSONDecoder:
    def refuse(word: str) -> object:
        raise ValueError(word)  # NaN and Infinity: not JSON to `_Parser`

    def obj(pairs: list[tuple[str, object]]) -> JObject:
        # its objects are JObjects already (the hook runs innermost first)
        return JObject({k: (_placeless(v) if v.__class__ is list else v, 0)
                        for k, v in pairs})

    return json.JSONDecoder(object_pairs_hook=obj, parse_int=float,
                            parse_constant=refuse)


def _placeless(value: object) -> object:
    """A value the json module read, its arrays as `JArray` (of lists
    only: a call per scalar costs more than the test)."""
    if value.__class__ is list:
        return JArray([(_placeless(v) if v.__class__ is list else v, 0)
                       for v in value])
    return value


def _quick_value(text: str) -> object:
    """What `_Parser` makes of a message, every position 0, read by the
    json module; `_NOT_QUICK` when json may not read it the same way:
    elisions and escapes, or anything it rejects (`_Parser` may accept
    more, such as a trailing comma, or say where it fails)."""
    if "..." in text or "\\" in text:
        return _NOT_QUICK
    try:
        return _placeless(_decoder().decode(text))
    except (ValueError, RecursionError):
        return _NOT_QUICK


class _NeedPlaces(Exception):
    """A finding on a message read without positions: read it again."""


# --------------------------------------------------------------------------
# Checking messages against the schema


@record(frozen=False, slots=False)
class _Check:
    """Walks parsed messages of one example, collecting findings."""

    ctx: LintContext
    doc: DocComment
    owner: str | None
    found: list[tuple[str, Finding]] = field(default_factory=list)
    msg: Message | None = None
    last: Command | None = None
    placeless: bool = False

    @property
    def schema(self) -> Schema:
        return self.ctx.schema

    def report(self, code: str, pos: int, message: str,
               member: str | None = None) -> None:
        assert self.msg is not None
        if self.placeless:
            raise _NeedPlaces
        line, col = self.msg.at(pos)
        loc = self.ctx.at(self.doc.location.file, line, col)
        self.found.append((code, Finding(loc, message, definition=self.owner,
                                         member=member)))

    def message(self, msg: Message) -> None:
        self.msg = msg
        text = msg.text.strip()
        if not text or _ELISION.fullmatch(text):
            return
        quick = _quick_value(msg.text)
        if quick is not _NOT_QUICK:
            # Nearly every message is plain JSON, and has no finding.
            last = self.last
            self.placeless = True
            try:
                self.value(quick)
                return
            except _NeedPlaces:
                self.last = last
            finally:
                self.placeless = False
        p = _Parser(msg.text)
        try:
            value = p.value()
            if not p.at_end():
                raise TranscriptError(p.pos, "text after the closed message")
        except TranscriptError as e:
            self.report("QD401", e.pos, f"example message does not parse: {e}")
            return
        self.value(value)

    def value(self, value: object) -> None:
        if value is ELIDED:
            return
        if not isinstance(value, JObject):
            self.report("QD401", 0, "an example message must be a JSON object")
            return
        assert self.msg is not None
        if self.msg.client:
            self.client(value)
        else:
            self.server(value)

    def client(self, obj: JObject) -> None:
        name_v = obj.members.get("execute") or obj.members.get("exec-oob")
        if name_v is None:
            if "qmp_capabilities" not in str(obj.members):
                self.report("QD401", obj.pos, "client message has no 'execute'")
            return
        name, pos = name_v
        if not isinstance(name, str):
            return
        defn = self.schema.get(name)
        if not isinstance(defn, Command):
            self.report("QD402", pos, f"example runs '{name}', which is not a "
                        "command of this schema")
            self.last = None
            return
        self.last = defn
        args = obj.members.get("arguments")
        if args is None:
            self.missing(defn.arguments, JObject(), obj.pos, f"'{name}'")
            return
        value, apos = args
        if not isinstance(value, JObject):
            return
        if not defn.gen:
            return  # 'gen': false commands take arguments the schema lacks
        if defn.arg_type is not None:
            self.typed(value, apos, TypeRef(defn.arg_type.name, defn.location),
                       f"'{name}'", client=True)
        else:
            self.members(value, defn.arguments, f"'{name}'", client=True)

    def server(self, obj: JObject) -> None:
        if "return" in obj.members:
            value, pos = obj.members["return"]
            if self.last is not None and self.last.returns is not None:
                self.typed(value, pos, self.last.returns,
                           f"the return value of '{self.last.name}'",
                           client=False)
            return
        ev = obj.members.get("event")
        if ev is None:
            if "error" not in obj.members and "QMP" not in obj.members:
                self.report("QD401", obj.pos, "server message has no 'return', "
                            "'error' or 'event'")
            return
        name, pos = ev
        if not isinstance(name, str):
            return
        defn = self.schema.get(name)
        if not isinstance(defn, Event):
            self.report("QD402", pos, f"example shows event '{name}', which is "
                        "not an event of this schema")
            return
        if "timestamp" not in obj.members and not obj.elided:
            self.report("QD406", obj.pos, f"event '{name}' in the example has "
                        "no 'timestamp'")
        data = obj.members.get("data")
        if data is not None and isinstance(data[0], JObject):
            if defn.arg_type is not None:
                self.typed(data[0], data[1], TypeRef(defn.arg_type.name,
                                                     defn.location),
                           f"event '{name}'", client=False)
            else:
                self.members(data[0], defn.arguments, f"event '{name}'",
                             client=False)

    # -- values against types ------------------------------------------------

    def typed(self, value: object, pos: int, ref: TypeRef, what: str,
              client: bool, depth: int = 0) -> None:
        if depth > 20 or value is ELIDED:
            return
        if ref.is_array:
            if isinstance(value, JArray):
                elem = TypeRef(ref.name, ref.location)
                for item, ipos in value.items:
                    self.typed(item, ipos, elem, what, client, depth + 1)
            return
        t = self.schema.resolve(ref)
        if t is None or isinstance(t, BuiltinType):
            return
        self.definition(value, pos, t, what, client, depth)

    def definition(self, value: object, pos: int, t: Definition, what: str,
                   client: bool, depth: int) -> None:
        if isinstance(t, EnumType):
            if isinstance(value, str) and t.value(value) is None:
                self.report("QD405", pos, f"'{value}' is not a value of "
                            f"{t.describe()} (in {what})")
        elif isinstance(t, UnionType):
            if isinstance(value, JObject):
                members, complete = self.union_members(t, value, 0)
                self.members(value, tuple(members), what, client, depth,
                             check_missing=complete)
        elif isinstance(t, StructType):
            if isinstance(value, JObject):
                self.members(value, t.members, what, client, depth)
        elif isinstance(t, AlternateType):
            for b in t.alternatives:
                bt = self.schema.resolve(b.type)
                kind_ok = ((isinstance(value, JObject) and isinstance(bt, StructType))
                           or (isinstance(value, str) and isinstance(bt, EnumType)
                           and not b.type.is_array)
                           or (isinstance(value, JArray) and b.type.is_array))
                if kind_ok:
                    self.typed(value, pos, b.type, what, client, depth + 1)
                    return

    def union_members(self, t: StructType, value: JObject,
                      depth: int) -> tuple[list[Member], bool]:
        """The members a union value may have: common ones plus those of
        the branch its discriminator selects (all branches when it does
        not say), through unions nested as branches.  Also whether the
        set is exact (so that missing members can be reported)."""
        members = list(t.members)
        if not isinstance(t, UnionType) or depth > 10:
            return members, True
        disc = value.members.get(t.discriminator)
        branches = t.branches
        exact = True
        if disc is not None and isinstance(disc[0], str):
            branches = tuple(b for b in branches if b.name == disc[0])
        else:
            exact = False
        for b in branches:
            bt = self.schema.resolve(b.type)
            if isinstance(bt, StructType):
                more, sub_exact = self.union_members(bt, value, depth + 1)
                members += more
                exact = exact and sub_exact
        return members, exact

    def members(self, obj: JObject, members: tuple[Member, ...], what: str,
                client: bool, depth: int = 0, check_missing: bool = True) -> None:
        by_name = {m.name: m for m in members}
        for key, (value, pos) in obj.members.items():
            m = by_name.get(key)
            if m is None:
                self.report("QD403", pos, f"'{key}' is not a member of {what}",
                            member=key)
                continue
            self.typed(value, pos, m.type, f"'{key}' of {what}", client, depth + 1)
        if client and check_missing:
            self.missing(members, obj, obj.pos, what)

    def missing(self, members: tuple[Member, ...], obj: JObject, pos: int,
                what: str) -> None:
        if obj.elided:
            return
        absent = [m.name for m in members
                  if not m.optional and m.name not in obj.members]
        if absent:
            names = ", ".join(f"'{n}'" for n in absent)
            self.report("QD404", pos, f"example omits mandatory argument"
                        f"{'s' if len(absent) > 1 else ''} {names} of {what}")


def _example_findings(ctx: LintContext) -> list[tuple[str, Finding]]:
    cache: list[tuple[str, Finding]] | None = ctx.__dict__.get("_examples")
    if cache is not None:
        return cache
    cache = []
    for doc, d in ctx.docs:
        if "qmp-example" not in doc.text:
            continue
        for messages in transcripts(doc):
            check = _Check(ctx, doc, d.name if d else doc.symbol)
            for msg in messages:
                check.message(msg)
            cache.extend(check.found)
    ctx.__dict__["_examples"] = cache
    return cache


def _of(ctx: LintContext, code: str) -> Iterator[Finding]:
    return (f for c, f in _example_findings(ctx) if c == code)


@lint_rule("QD401", severity=Severity.ERROR)
def example_syntax(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A message of a ``.. qmp-example::`` transcript that is not JSON
        (elisions ``...`` and ``... text ...`` allowed) or lacks
        ``execute`` / ``return``, ``error`` or ``event``.

    Why it matters:
        Readers copy examples into their clients; a broken one costs them
        time and trust in the rest of the manual.

    What QEMU does:
        Writes examples as transcripts a client could send; the few that
        do not parse (a missing comma, a call closed before its
        arguments) are bugs that mislead readers.

    Example:
        ##
        # @ping:
        #
        # @count: how many times
        #
        # Since: 9.0
        #
        # .. qmp-example::
        #
        #     -> { "execute": "ping", "arguments": { "count": 1 }
        #     <- { "return": {} }
        ##
        { 'command': 'ping', 'data': { 'count': 'int' } }

    Use instead:
        ##
        # @ping:
        #
        # @count: how many times
        #
        # Since: 9.0
        #
        # .. qmp-example::
        #
        #     -> { "execute": "ping", "arguments": { "count": 1 } }
        #     <- { "return": {} }
        ##
        { 'command': 'ping', 'data': { 'count': 'int' } }
    """
    return _of(ctx, "QD401")


@lint_rule("QD402", severity=Severity.ERROR)
def example_unknown_command(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        An example that executes a command, or shows an event, that the
        schema does not define.

    Why it matters:
        A renamed or removed command leaves examples that can only fail.

    What QEMU does:
        Shows only commands and events of the same schema in its
        examples.

    Example:
        ##
        # @ping:
        #
        # @count: how many times
        #
        # Since: 9.0
        #
        # .. qmp-example::
        #
        #     -> { "execute": "pong", "arguments": { "count": 1 } }
        #     <- { "return": {} }
        ##
        { 'command': 'ping', 'data': { 'count': 'int' } }

    Use instead:
        ##
        # @ping:
        #
        # @count: how many times
        #
        # Since: 9.0
        #
        # .. qmp-example::
        #
        #     -> { "execute": "ping", "arguments": { "count": 1 } }
        #     <- { "return": {} }
        ##
        { 'command': 'ping', 'data': { 'count': 'int' } }
    """
    return _of(ctx, "QD402")


@lint_rule("QD403", severity=Severity.ERROR)
def example_unknown_member(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        An argument, returned member or event data member in an example
        that the schema does not have at that place (checked at every
        nesting level, union branches by their discriminator).

    Why it matters:
        QEMU rejects unknown arguments; an example with a misspelt or
        renamed member teaches clients a call that fails.

    What QEMU does:
        Keeps example members in step with the schema; leftovers such as
        ``backing_file`` after renames are bugs.

    Example:
        ##
        # @ping:
        #
        # @count: how many times
        #
        # Since: 9.0
        #
        # .. qmp-example::
        #
        #     -> { "execute": "ping", "arguments": { "count": 1, "loud": true } }
        #     <- { "return": {} }
        ##
        { 'command': 'ping', 'data': { 'count': 'int' } }

    Use instead:
        ##
        # @ping:
        #
        # @count: how many times
        #
        # Since: 9.0
        #
        # .. qmp-example::
        #
        #     -> { "execute": "ping", "arguments": { "count": 1 } }
        #     <- { "return": {} }
        ##
        { 'command': 'ping', 'data': { 'count': 'int' } }
    """
    return _of(ctx, "QD403")


@lint_rule("QD404", severity=Severity.ERROR)
def example_missing_argument(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        An example call that omits a mandatory argument (unless the
        arguments are elided with ``...``).

    Why it matters:
        The call in the example would be rejected by QEMU.

    What QEMU does:
        Shows complete calls, or elides the arguments with ``...``.

    Example:
        ##
        # @ping:
        #
        # @count: how many times
        #
        # Since: 9.0
        #
        # .. qmp-example::
        #
        #     -> { "execute": "ping" }
        #     <- { "return": {} }
        ##
        { 'command': 'ping', 'data': { 'count': 'int' } }

    Use instead:
        ##
        # @ping:
        #
        # @count: how many times
        #
        # Since: 9.0
        #
        # .. qmp-example::
        #
        #     -> { "execute": "ping", "arguments": { "count": 1 } }
        #     <- { "return": {} }
        ##
        { 'command': 'ping', 'data': { 'count': 'int' } }
    """
    return _of(ctx, "QD404")


@lint_rule("QD405", severity=Severity.ERROR)
def example_bad_enum_value(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A string in an example where the schema expects an enum, that is
        not one of the enum's values.

    Why it matters:
        QEMU rejects the call, or the example shows output QEMU never
        produces.

    What QEMU does:
        Uses real enum values in examples.

    Example:
        ##
        # @Speed:
        #
        # @slow: slowly
        #
        # @fast: quickly
        #
        # Since: 9.0
        ##
        { 'enum': 'Speed', 'data': [ 'slow', 'fast' ] }
        ##
        # @run:
        #
        # @speed: how fast
        #
        # Since: 9.0
        #
        # .. qmp-example::
        #
        #     -> { "execute": "run", "arguments": { "speed": "quick" } }
        #     <- { "return": {} }
        ##
        { 'command': 'run', 'data': { 'speed': 'Speed' } }

    Use instead:
        ##
        # @Speed:
        #
        # @slow: slowly
        #
        # @fast: quickly
        #
        # Since: 9.0
        ##
        { 'enum': 'Speed', 'data': [ 'slow', 'fast' ] }
        ##
        # @run:
        #
        # @speed: how fast
        #
        # Since: 9.0
        #
        # .. qmp-example::
        #
        #     -> { "execute": "run", "arguments": { "speed": "fast" } }
        #     <- { "return": {} }
        ##
        { 'command': 'run', 'data': { 'speed': 'Speed' } }
    """
    return _of(ctx, "QD405")


@lint_rule("QD406")
def example_event_timestamp(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        An event in an example without its ``timestamp`` member (unless
        members are elided with ``...``).

    Why it matters:
        QEMU sends a timestamp with every event; clients parsing the
        example as a template would miss it.

    What QEMU does:
        Shows events with their ``timestamp``, or elides members with
        ``...``.

    Example:
        ##
        # @STOPPED:
        #
        # Since: 9.0
        #
        # .. qmp-example::
        #
        #     <- { "event": "STOPPED" }
        ##
        { 'event': 'STOPPED' }

    Use instead:
        ##
        # @STOPPED:
        #
        # Since: 9.0
        #
        # .. qmp-example::
        #
        #     <- { "event": "STOPPED",
        #          "timestamp": { "seconds": 1265044230, "microseconds": 450486 } }
        ##
        { 'event': 'STOPPED' }
    """
    return _of(ctx, "QD406")

