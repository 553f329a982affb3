"""Record classes, as `dataclasses` makes them, at a fraction of the cost.

``@dataclass`` compiles five to seven methods per class from generated
source (and builds a class twice for ``slots=True``), and importing
`dataclasses` imports `inspect`, `ast`, `dis` and `tokenize`; for the
classes ``qapidoc lint`` loads that was about a tenth of its run.
`record` makes the same classes — positional and keyword ``__init__`` in
field order with defaults and default factories, fields inherited from
record bases first, ``__post_init__``, ``frozen`` (assignment raises
`FrozenInstanceError`), ``slots``, equality and hash over the compared
fields (or identity with ``eq=False``; a mutable record compared by value
is unhashable), the ``Name(a=1, b='x')`` repr, ``__match_args__`` and
pickling — compiling only ``__init__``.  Type checkers read it as a
dataclass (PEP 681).

`fields` and `replace` here work on records without `dataclasses`;
`dataclasses.fields`, `dataclasses.replace` and `dataclasses.asdict` work
too, through ``__dataclass_fields__``, which is made (importing
`dataclasses`) only when something asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter
from types import MappingProxyType

from qapidoc.core.hints import TYPE_CHECKING, cast, dataclass_transform, overload

if TYPE_CHECKING:
    from typing import Any, TypeVar

    _T = TypeVar("_T")


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

_NO_METADATA: Mapping[str, Any] = MappingProxyType({})


class Field:
    """A field: its name and annotation (set by `record`) and settings."""

    __slots__ = ("compare", "default", "default_factory", "init", "metadata",
                 "name", "repr", "type")

    def __init__(self, default: Any, init: bool, repr: bool,
                 default_factory: Any = MISSING, compare: bool = True,
                 metadata: Mapping[str, Any] | None = None) -> None:
        self.name = ""
        self.type: Any = None
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.compare = compare
        self.metadata = MappingProxyType(dict(metadata)) if metadata else _NO_METADATA


def field(*, default: Any = MISSING, default_factory: Callable[[], Any] = MISSING,
          init: bool = True, repr: bool = True, compare: bool = True,
          metadata: Mapping[str, Any] | None = None) -> Any:
    """A field's default (or a function making it), whether ``__init__``
    takes it, repr shows it and equality compares it, and free metadata."""
    return Field(default, init, repr, default_factory, compare, metadata)


def fields(obj: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in order."""
    found: dict[str, Field] = obj.__record_fields__
    return tuple(found.values())


def replace(obj: _T, /, **changes: Any) -> _T:
    """A copy of record `obj` with `changes` to its fields."""
    found: dict[str, Field] = obj.__record_fields__  # type: ignore[attr-defined]
    for name, f in found.items():
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


class _DataclassFields:
    """``__dataclass_fields__`` of a record, made on first use: the same
    fields as `dataclasses` describes them, so that its functions accept
    records."""

    def __get__(self, obj: object, owner: type) -> dict[str, Any]:
        made: dict[str, Any] | None = owner.__dict__.get("__record_dataclass_fields__")
        if made is None:
            import dataclasses

            own: dict[str, Field] = owner.__record_fields__  # type: ignore[attr-defined]
            body: dict[str, Any] = {"__annotations__": {n: f.type for n, f in own.items()}}
            for name, f in own.items():
                settings: dict[str, Any] = {"init": f.init, "repr": f.repr,
                                            "compare": f.compare,
                                            "metadata": dict(f.metadata) or None}
                if f.default is not MISSING:
                    settings["default"] = f.default
                if f.default_factory is not MISSING:
                    settings["default_factory"] = f.default_factory
                body[name] = dataclasses.field(**settings)
            shadow: Any = dataclasses.dataclass(type(owner.__name__, (), body))
            made = dict(shadow.__dataclass_fields__)
            type.__setattr__(owner, "__record_dataclass_fields__", made)
        return made


@overload
def record(cls: type[_T], /) -> type[_T]: ...
@overload
def record(*, eq: bool = True, repr: bool = True, frozen: bool = True,
           slots: bool = True) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def record(cls: type[_T] | None = None, /, *, eq: bool = True,
           repr: bool = True, frozen: bool = True, slots: bool = True) -> Any:
    """Make `cls` a record (see the module docstring)."""
    if cls is None:
        return lambda c: _make(c, eq, repr, frozen, slots)
    return _make(cls, eq, repr, frozen, slots)


def _make(cls: type[_T], eq: bool, want_repr: bool, frozen: bool,
          slots: bool) -> type[_T]:
    found: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        found.update(base.__dict__.get("__record_fields__", {}))
    own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 - inspect costs start-up
    body = dict(cls.__dict__)
    for name, annotation in own.items():
        if isinstance(annotation, str) and annotation.startswith(("ClassVar", "typing.ClassVar")):
            continue
        value = body.pop(name, MISSING)
        f = value if isinstance(value, Field) else Field(value, True, True)
        f.name = name
        f.type = annotation
        found[name] = f

    names = tuple(found)
    methods: dict[str, Any] = {
        "__record_fields__": found,
        "__record_values__": staticmethod(_values(names)),
        "__record_compared__": staticmethod(_values(
            tuple(n for n, f in found.items() if f.compare))),
        "__record_repr__": tuple(n for n, f in found.items() if f.repr),
        "__match_args__": tuple(n for n, f in found.items() if f.init),
        "__dataclass_fields__": _DataclassFields(),
    }
    if frozen:
        methods["__setattr__"] = _frozen_setattr
        methods["__delattr__"] = _frozen_delattr
    if want_repr and "__repr__" not in cls.__dict__:
        methods["__repr__"] = _repr
    if eq and "__eq__" not in cls.__dict__:
        methods["__eq__"] = _eq
        methods["__hash__"] = _hash if frozen else None

    if slots:
        inherited = {s for base in cls.__mro__[1:] for s in base.__dict__.get("__slots__", ())}
        body["__slots__"] = tuple(n for n in found if n not in inherited)
        body.pop("__dict__", None)
        body.pop("__weakref__", None)
        body.update(methods)
        body["__getstate__"] = _getstate
        body["__setstate__"] = _setstate
        maker: Any = type(cls)
        new = maker(cls.__name__, cls.__bases__, body)
        new.__qualname__ = cls.__qualname__
    else:
        new = cls
        for name, f in found.items():  # class attributes hold the defaults
            if name in own:
                if f.default is not MISSING:
                    type.__setattr__(new, name, f.default)
                elif isinstance(cls.__dict__.get(name), Field):
                    type.__delattr__(new, name)
        for name, value in methods.items():
            type.__setattr__(new, name, value)
    new.__init__ = _init(new, found, slots, frozen)
    return cast("type[_T]", new)


def _init(cls: type, found: dict[str, Field], slots: bool,
          frozen: bool) -> Callable[..., None]:
    """``__init__`` for the fields: the one method that is compiled, for
    the speed of making instances.  A frozen record with slots stores each
    field through its slot, one without slots through `object.__setattr__`;
    a mutable one assigns it (the interpreter's quickest store, about a
    fifth of a call to the slot's setter)."""
    scope: dict[str, Any] = {"_MISSING": MISSING, "_setattr": object.__setattr__}
    params: list[str] = []
    lines: list[str] = []
    for i, (name, f) in enumerate(found.items()):
        if not frozen:
            store = f"self.{name} = {{}}"
        elif slots:
            scope[f"_set{i}"] = getattr(cls, name).__set__
            store = f"_set{i}(self, {{}})"
        else:
            store = f"_setattr(self, {name!r}, {{}})"
        if f.default_factory is not MISSING:
            scope[f"_make{i}"] = f.default_factory
            if f.init:
                params.append(f"{name}=_MISSING")
                value = f"_make{i}() if {name} is _MISSING else {name}"
            else:
                value = f"_make{i}()"
        elif f.init:
            if f.default is MISSING:
                params.append(name)
            else:
                scope[f"_dflt{i}"] = f.default
                params.append(f"{name}=_dflt{i}")
            value = name
        elif f.default is not MISSING:
            scope[f"_dflt{i}"] = f.default
            value = f"_dflt{i}"
        else:
            continue
        lines.append("    " + store.format(value))
    if hasattr(cls, "__post_init__"):
        lines.append("    self.__post_init__()")
    source = (f"def __init__(self, {', '.join(params)}):\n"
              + ("\n".join(lines) or "    pass") + "\n")
    exec(source, scope)
    init: Callable[..., None] = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init
