"""The few names of `typing` that run, without importing `typing`.

Importing `typing` is some 2 ms of ``qapidoc lint``'s start (over 1 % of a
run), for names whose run-time part is small.  Type checkers read the
``TYPE_CHECKING`` branch, `typing`'s own names; the program gets the
stand-ins: `NamedTuple` makes the class `typing.NamedTuple` makes (a
`collections.namedtuple` with the class statement's annotations, defaults,
docstring and methods); `cast`, `overload` and `dataclass_transform`
return what they are given (`typing`'s also record things for
introspection, which nothing here reads).  Names used only in annotations
are imported from `typing` under ``if TYPE_CHECKING:`` where they are used.
Modules a lint run does not load may import `typing` as they like.
"""

from __future__ import annotations

TYPE_CHECKING = False
"""False when the program runs; type checkers take it as true."""

if TYPE_CHECKING:
    from typing import NamedTuple, cast, dataclass_transform, overload
else:
    from collections import namedtuple

    _NOT_COPIED = frozenset({"__module__", "__annotations__", "__qualname__"})

    class _NamedTupleMeta(type):
        """Makes a class statement on `NamedTuple` a named tuple."""

        def __new__(mcs, name, bases, namespace):
            if not bases:
                return super().__new__(mcs, name, bases, namespace)
            annotations = namespace.get("__annotations__", {})
            made = namedtuple(name, annotations,
                              defaults=[namespace[f] for f in annotations if f in namespace],
                              module=namespace["__module__"])
            made.__annotations__ = made.__new__.__annotations__ = dict(annotations)
            made.__qualname__ = namespace.get("__qualname__", name)
            for key, value in namespace.items():
                if key not in _NOT_COPIED and key not in made._fields:
                    setattr(made, key, value)
            return made

    class NamedTuple(metaclass=_NamedTupleMeta):
        """Base of a class statement that makes a named tuple."""

    def cast(typ, value, /):
        return value

    def overload(function, /):
        return function

    def dataclass_transform(**settings):
        return lambda cls_or_function: cls_or_function


__all__ = ["TYPE_CHECKING", "NamedTuple", "cast", "dataclass_transform", "overload"]
