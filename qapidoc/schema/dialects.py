"""Dialects: the forms older QEMU releases wrote, and what they mean today.

QEMU's schema language changed over the years: structs declared with
``'type'`` (until 2.4), anonymous unions (alternates, until 2.3), simple
unions (gone in 7.0),
``'if'`` conditions written as C preprocessor expressions or lists of them
(gone in 6.2), and the ``*-whitelist`` pragmas (renamed in 6.0).  The reader,
the expression checker and the builder use this module to read those forms
into the same model as their modern spelling, and report each one under its
own ``legacy`` rule whose message gives the modern spelling.
"""

from __future__ import annotations

from collections.abc import Callable

from qapidoc.core.lazy import lazy
from qapidoc.core.registry import rule
from qapidoc.schema.model import Condition

SIMPLE_UNION = rule(
    "QL001", "simple-union",
    "A union without 'base' and 'discriminator' (a simple union), which "
    "QEMU accepted until 6.2.",
    rationale="On the wire a simple union is an object with member 'type' "
    "(the branch name) and member 'data' (the branch's value).  qapidoc "
    "reads it as that flat union; QEMU 7.0 and later need it spelled out.",
    bad="{ 'union': 'Addr', 'data': { 'inet': 'InetAddr' } }",
    good="{ 'enum': 'AddrKind', 'data': [ 'inet' ] }\n"
    "{ 'struct': 'InetAddrWrapper', 'data': { 'data': 'InetAddr' } }\n"
    "{ 'union': 'Addr', 'base': { 'type': 'AddrKind' },\n"
    "  'discriminator': 'type', 'data': { 'inet': 'InetAddrWrapper' } }",
    qemu_from="7.0",
)
C_CONDITION = rule(
    "QL002", "c-condition",
    "An 'if' condition written as a C preprocessor expression "
    "(``defined(CONFIG_X) && !defined(Y)``), which QEMU accepted until 6.1.",
    rationale="qapidoc reads ``defined()``, ``!``, ``&&``, ``||`` and "
    "parentheses into the condition they mean; QEMU 6.2 and later take "
    "config symbols combined with 'all', 'any' and 'not'.",
    bad="{ 'struct': 'S', 'data': {}, 'if': 'defined(CONFIG_SPICE)' }",
    good="{ 'struct': 'S', 'data': {}, 'if': 'CONFIG_SPICE' }",
    qemu_from="6.2",
)
CONDITION_LIST = rule(
    "QL003", "condition-list",
    "An 'if' condition written as a list (all of its conditions), which "
    "QEMU accepted until 6.1.",
    rationale="The list means all of its conditions; QEMU 6.2 and later "
    "say so with 'all'.",
    bad="{ 'struct': 'S', 'data': {}, 'if': [ 'CONFIG_A', 'CONFIG_B' ] }",
    good="{ 'struct': 'S', 'data': {},\n  'if': { 'all': [ 'CONFIG_A', 'CONFIG_B' ] } }",
    qemu_from="6.2",
)
OLD_PRAGMA = rule(
    "QL004", "old-pragma-name",
    "A pragma under the name QEMU used until 5.2: 'returns-whitelist' or "
    "'name-case-whitelist'.",
    rationale="qapidoc reads them as they were meant: the commands that may "
    "return a non-object, and the types whose member names may use upper "
    "case.  Before QEMU 6.0 names could also use '_' freely; today such "
    "names must be listed in 'command-name-exceptions' or "
    "'member-name-exceptions'.",
    bad="{ 'pragma': { 'returns-whitelist': [ 'qom-get' ] } }",
    good="{ 'pragma': { 'command-returns-exceptions': [ 'qom-get' ] } }",
    qemu_from="6.0",
)

TYPE_KEYWORD = rule(
    "QL005", "type-keyword",
    "A struct declared with 'type' instead of 'struct', the spelling of "
    "QEMU's first schemas (renamed in 2.4).",
    rationale="qapidoc reads it as the struct it is; QEMU's checker today "
    "takes only 'struct'.",
    bad="{ 'type': 'Point', 'data': { 'x': 'int' } }",
    good="{ 'struct': 'Point', 'data': { 'x': 'int' } }",
)
ANONYMOUS_UNION = rule(
    "QL006", "anonymous-union",
    "A union with an empty 'discriminator' (an anonymous union): what QEMU "
    "calls an alternate since 2.3.",
    rationale="On the wire an anonymous union is one of its branches' "
    "values, told apart by JSON type: an alternate.  qapidoc reads it as "
    "one; QEMU's checker today takes only 'alternate'.",
    bad="{ 'union': 'Ref', 'discriminator': {},\n"
    "  'data': { 'definition': 'Options', 'reference': 'str' } }",
    good="{ 'alternate': 'Ref',\n"
    "  'data': { 'definition': 'Options', 'reference': 'str' } }",
)

OLD_PRAGMAS: dict[str, str] = {
    "returns-whitelist": "command-returns-exceptions",
    "name-case-whitelist": "member-name-exceptions",
}
"""Old pragma name → the pragma that means the same today."""

OLD_NAMING_PRAGMA = "name-case-whitelist"
"""Its presence says the schema follows the naming rules before QEMU 6.0:
'_' allowed in every name, upper case in members of listed types."""

_IMPLICIT_OWNER = lazy(r"q_obj_(.+)-(?:base|arg|wrapper)\Z")


def whitelist_owner(name: str) -> str:
    """The definition an old whitelist entry stands for: entries could name
    implicit types (``q_obj_CpuInfo-base`` for the inline base of
    ``CpuInfo``)."""
    m = _IMPLICIT_OWNER.match(name)
    return m.group(1) if m else name


# --------------------------------------------------------------------------
# Simple unions


def simple_union_enum(union: str) -> str:
    """The name of a simple union's implicit discriminator enum."""
    return union + "Kind"


def wrapper_name(type_name: str, is_array: bool) -> str:
    """The name of the implicit wrapper type of a simple union branch."""
    return f"q_obj_{type_name}{'List' if is_array else ''}-wrapper"


# --------------------------------------------------------------------------
# C-expression conditions

_C_TOKEN = lazy(r"[ \t]*(?:(&&|\|\||[!()])|([A-Za-z_][A-Za-z0-9_]*)|(\S)|\Z)")
_C_IDENT = lazy(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_C_OPERATOR = lazy(r"[()!&|]|\bdefined\b")


class CConditionError(Exception):
    """Where (offset into the text) and why a C condition does not parse."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


def looks_like_c(text: str) -> bool:
    """Whether a condition string is meant as a C expression."""
    return _C_OPERATOR.search(text) is not None


def parse_c_condition(text: str) -> Condition:
    """``defined(X)``, ``defined X``, ``!``, ``&&``, ``||`` and parentheses,
    with C's precedence, into a `Condition`; `CConditionError` otherwise."""
    tokens: list[tuple[str, int]] = []
    pos = 0
    while True:
        m = _C_TOKEN.match(text, pos)
        assert m is not None  # the last alternative matches at the end
        group = m.lastindex
        if group is None:
            tokens.append(("", m.end()))
            return _CParser(tokens).parse()
        if group == 3:
            raise CConditionError(m.start(3), f"unexpected '{m.group(3)}'")
        tokens.append((m.group(group), m.start(group)))
        pos = m.end()


class _CParser:
    def __init__(self, tokens: list[tuple[str, int]]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> str:
        return self.tokens[self.i][0]

    def take(self) -> tuple[str, int]:
        tok = self.tokens[self.i]
        if tok[0]:
            self.i += 1
        return tok

    def fail(self, tok: tuple[str, int], wanted: str) -> CConditionError:
        got = f", not '{tok[0]}'" if tok[0] else " at the end"
        return CConditionError(tok[1], f"expected {wanted}{got}")

    def parse(self) -> Condition:
        cond = self.either()
        tok = self.take()
        if tok[0]:
            raise CConditionError(tok[1], f"unexpected '{tok[0]}'")
        return cond

    def either(self) -> Condition:
        return self.chain("||", "any", self.both)

    def both(self) -> Condition:
        return self.chain("&&", "all", self.unary)

    def chain(self, op: str, kind: str,
              operand: Callable[[], Condition]) -> Condition:
        operands: list[Condition] = [operand()]
        while self.peek() == op:
            self.take()
            operands.append(operand())
        if len(operands) == 1:
            return operands[0]
        flat: list[Condition] = []
        for o in operands:
            flat.extend(o.operands if o.op == kind else (o,))
        return Condition(kind, "", tuple(flat))

    def unary(self) -> Condition:
        tok = self.take()
        if tok[0] == "!":
            return Condition("not", "", (self.unary(),))
        if tok[0] == "(":
            inner = self.either()
            close = self.take()
            if close[0] != ")":
                raise self.fail(close, "')'")
            return inner
        if tok[0] != "defined":
            raise self.fail(tok, "'defined(NAME)', '!' or '('")
        paren = self.peek() == "("
        if paren:
            self.take()
        name = self.take()
        if not _C_IDENT.match(name[0]) or name[0] == "defined":
            raise self.fail(name, "a macro name after 'defined'")
        if paren:
            close = self.take()
            if close[0] != ")":
                raise self.fail(close, "')'")
        return Condition("name", name[0])


def spelling(cond: Condition) -> str:
    """The condition as a modern schema writes it."""
    if cond.op in ("name", "text"):
        return f"'{cond.name}'"
    if cond.op == "not":
        return f"{{ 'not': {spelling(cond.operands[0])} }}"
    inner = ", ".join(spelling(o) for o in cond.operands)
    return f"{{ '{cond.op}': [ {inner} ] }}"
