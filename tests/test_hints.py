"""qapidoc.core.hints stands in for typing on the lint path, and keeps it off."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import typing

from qapidoc.core import hints
from tests.conftest import REPO


class Ours(hints.NamedTuple):
    """A located name."""

    name: str
    line: int
    col: int = 1

    @property
    def where(self) -> str:
        return f"{self.line}:{self.col}"

    def __str__(self) -> str:
        return f"{self.name}@{self.where}"


class Theirs(typing.NamedTuple):
    """A located name."""

    name: str
    line: int
    col: int = 1

    @property
    def where(self) -> str:
        return f"{self.line}:{self.col}"

    def __str__(self) -> str:
        return f"{self.name}@{self.where}"


def test_named_tuple_is_the_class_typing_makes() -> None:
    ours, theirs = Ours("x", 3), Theirs("x", 3)
    assert ours == theirs == ("x", 3, 1)
    assert repr(ours) == repr(theirs).replace("Theirs", "Ours")
    assert str(ours) == str(theirs) == "x@3:1"
    assert Ours._fields == Theirs._fields
    assert Ours._field_defaults == Theirs._field_defaults == {"col": 1}
    assert Ours.__annotations__ == {"name": "str", "line": "int", "col": "int"}
    assert Ours.__doc__ == Theirs.__doc__ == "A located name."
    assert (Ours.__module__, Ours.__qualname__) == (__name__, "Ours")
    assert Ours.__mro__[1:] == Theirs.__mro__[1:] == (tuple, object)
    assert ours._replace(col=5) == Ours("x", 3, 5)
    assert pickle.loads(pickle.dumps(ours)) == ours


def test_cast_and_decorators_return_what_they_are_given() -> None:
    marker = object()
    assert hints.cast("int", marker) is marker
    assert hints.overload(test_cast_and_decorators_return_what_they_are_given) is (
        test_cast_and_decorators_return_what_they_are_given)
    assert hints.dataclass_transform(frozen_default=True)(Ours) is Ours


def test_lint_imports_neither_typing_nor_difflib() -> None:
    code = ("import sys; from qapidoc.cli.app import main; "
            "main(['lint', '--no-config', '--exit-zero', 'schemas/minimal.json']); "
            "print(sorted({'typing', 'difflib'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.stdout.strip().splitlines()[-1] == "[]"
