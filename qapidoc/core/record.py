"""Frozen record classes, as `dataclasses` makes them, at a tenth of the cost.

``@dataclass(frozen=True, slots=True)`` compiles six or seven methods per
class from generated source and builds the class twice; for the model's
classes that was about a tenth of ``qapidoc lint``'s start-up.  `record`
makes the same classes — positional and keyword ``__init__`` in field
order with defaults, fields inherited from record bases first, frozen
(assignment raises `FrozenInstanceError`), ``__slots__``, equality and
hash over the fields (or identity with ``eq=False``), the ``Name(a=1,
b='x')`` repr, ``__match_args__``, ``__post_init__``, default factories
and pickling — compiling only ``__init__``.  ``frozen=False`` makes a
mutable one (unhashable when compared by value, as a dataclass is).  Type
checkers read it as a dataclass (PEP 681).

Not a dataclass: `dataclasses.fields` and `dataclasses.replace` do not
apply (`replace` here does the latter).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, cast, dataclass_transform, overload

_T = TypeVar("_T")


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Field:
    """A field's settings, as `field` gives them."""

    __slots__ = ("compare", "default", "default_factory", "init", "repr")

    def __init__(self, default: Any, init: bool, repr: bool,
                 default_factory: Any = MISSING, compare: bool = True) -> None:
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.compare = compare


def field(*, default: Any = MISSING, default_factory: Callable[[], Any] = MISSING,
          init: bool = True, repr: bool = True,
          compare: bool = True) -> Any:
    """A field's default (or a function making it) and whether ``__init__``
    takes it, repr shows it and equality compares it."""
    return Field(default, init, repr, default_factory, compare)


def replace(obj: _T, /, **changes: Any) -> _T:
    """A copy of record `obj` with `changes` to its fields."""
    fields: dict[str, Field] = obj.__record_fields__  # type: ignore[attr-defined]
    for name, f in fields.items():
        if f.init and name not in changes:
            changes[name] = getattr(obj, name)
    return obj.__class__(**changes)


def _frozen_setattr(self: object, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field '{name}'")


def _frozen_delattr(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field '{name}'")


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        get = self.__record_compared__
        return get(self) == get(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self.__record_compared__(self))


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}"
                      for name in self.__record_repr__)
    return f"{self.__class__.__qualname__}({shown})"


def _getstate(self: Any) -> list[Any]:
    return list(self.__record_values__(self))


def _setstate(self: Any, state: list[Any]) -> None:
    for name, value in zip(self.__record_fields__, state, strict=True):
        object.__setattr__(self, name, value)


def _values(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The fields' values as a tuple (attrgetter returns a bare value for
    one name)."""
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    if not names:
        return lambda obj: ()
    return attrgetter(*names)


@overload
def record(cls: type[_T], /) -> type[_T]: ...
@overload
def record(*, eq: bool = True, repr: bool = True,
           frozen: bool = True) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def record(cls: type[_T] | None = None, /, *, eq: bool = True,
           repr: bool = True, frozen: bool = True) -> Any:
    """Make `cls` a record with slots (see the module docstring)."""
    if cls is None:
        return lambda c: _make(c, eq, repr, frozen)
    return _make(cls, eq, repr, frozen)


def _make(cls: type[_T], eq: bool, want_repr: bool, frozen: bool) -> type[_T]:
    fields: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        fields.update(base.__dict__.get("__record_fields__", {}))
    own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 - inspect costs start-up
    body = dict(cls.__dict__)
    for name, annotation in own.items():
        if isinstance(annotation, str) and annotation.startswith(("ClassVar", "typing.ClassVar")):
            continue
        value = body.pop(name, MISSING)
        fields[name] = value if isinstance(value, Field) else Field(value, True, True)

    inherited = {s for base in cls.__mro__[1:] for s in base.__dict__.get("__slots__", ())}
    body["__slots__"] = tuple(n for n in fields if n not in inherited)
    body.pop("__dict__", None)
    body.pop("__weakref__", None)
    names = tuple(fields)
    body["__record_fields__"] = fields
    body["__record_values__"] = staticmethod(_values(names))
    body["__record_compared__"] = staticmethod(_values(
        tuple(n for n, f in fields.items() if f.compare)))
    body["__record_repr__"] = tuple(n for n, f in fields.items() if f.repr)
    body["__match_args__"] = tuple(n for n, f in fields.items() if f.init)
    if frozen:
        body["__setattr__"] = _frozen_setattr
        body["__delattr__"] = _frozen_delattr
    body["__getstate__"] = _getstate
    body["__setstate__"] = _setstate
    if want_repr and "__repr__" not in cls.__dict__:
        body["__repr__"] = _repr
    if eq and "__eq__" not in cls.__dict__:
        body["__eq__"] = _eq
        body["__hash__"] = _hash if frozen else None
    maker: Any = type(cls)
    new = maker(cls.__name__, cls.__bases__, body)
    new.__qualname__ = cls.__qualname__
    new.__init__ = _init(new, fields)
    return cast("type[_T]", new)


def _init(cls: type, fields: dict[str, Field]) -> Callable[..., None]:
    """``__init__`` for `fields`: the one method that is compiled, for the
    speed of making instances.  Each field is stored through its slot."""
    scope: dict[str, Any] = {}
    params: list[str] = []
    lines: list[str] = []
    for i, (name, f) in enumerate(fields.items()):
        scope[f"_set{i}"] = getattr(cls, name).__set__
        if f.default_factory is not MISSING:
            scope[f"_make{i}"] = f.default_factory
            if f.init:
                params.append(f"{name}=_MISSING")
                lines.append(f"    _set{i}(self, _make{i}() if {name} is _MISSING "
                             f"else {name})")
            else:
                lines.append(f"    _set{i}(self, _make{i}())")
        elif f.init:
            if f.default is MISSING:
                params.append(name)
            else:
                scope[f"_dflt{i}"] = f.default
                params.append(f"{name}=_dflt{i}")
            lines.append(f"    _set{i}(self, {name})")
        elif f.default is not MISSING:
            scope[f"_dflt{i}"] = f.default
            lines.append(f"    _set{i}(self, _dflt{i})")
    scope["_MISSING"] = MISSING
    if hasattr(cls, "__post_init__"):
        lines.append("    self.__post_init__()")
    source = (f"def __init__(self, {', '.join(params)}):\n"
              + ("\n".join(lines) or "    pass") + "\n")
    exec(source, scope)
    init: Callable[..., None] = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init
