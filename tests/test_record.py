"""qapidoc.core.record keeps the dataclass behaviour its users rely on."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from qapidoc.core.record import FrozenInstanceError, field, fields, record, replace


@record
class Point:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list, compare=False)


@record
class Named(Point):
    name: str = "p"
    hidden: int = field(default=7, repr=False)


@record(frozen=False, slots=False)
class Bag:
    items: list[int] = field(default_factory=list)
    size: int = 1


@record(slots=False)
class Settings:
    path: str
    depth: int = 3

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", self.path.rstrip("/"))


@record(eq=False)
class Identity:
    value: int


def test_init_defaults_factories_and_inherited_fields_first() -> None:
    p = Named(1, 2, name="q")
    assert (p.x, p.y, p.tags, p.name, p.hidden) == (1, 2, [], "q", 7)
    assert Point(1).tags is not Point(1).tags
    assert Named.__match_args__ == ("x", "y", "tags", "name", "hidden")


def test_frozen_records_refuse_assignment() -> None:
    p = Point(1)
    with pytest.raises(FrozenInstanceError):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del p.x  # type: ignore[misc]
    s = Settings("a/")
    with pytest.raises(FrozenInstanceError):
        s.depth = 1  # type: ignore[misc]


def test_equality_hash_and_repr_follow_field_settings() -> None:
    assert Point(1, 2, ["a"]) == Point(1, 2, ["b"])  # tags not compared
    assert hash(Point(1, 2)) == hash(Point(1, 2))
    assert Point(1) != Named(1)
    assert Identity(1) != Identity(1)
    assert repr(Named(1, name="n")) == "Named(x=1, y=0, tags=[], name='n')"
    bag = Bag()
    assert bag == Bag() and Bag.__hash__ is None


def test_slots_and_plain_classes() -> None:
    assert Point.__slots__ == ("x", "y", "tags")
    assert not hasattr(Point(1), "__dict__")
    bag = Bag([1])
    bag.size = 4
    assert vars(bag) == {"items": [1], "size": 4}
    assert Bag.size == 1  # the default stays a class attribute, as in a dataclass
    assert Settings("a/b/").path == "a/b"  # __post_init__ runs


def test_pickle_round_trip() -> None:
    p = Named(1, 2, ["t"], "n", 9)
    assert pickle.loads(pickle.dumps(p)) == p


def test_fields_and_replace() -> None:
    assert [f.name for f in fields(Named)] == ["x", "y", "tags", "name", "hidden"]
    assert [f.name for f in fields(Bag())] == ["items", "size"]
    q = replace(Named(1, name="a"), y=5)
    assert (q.x, q.y, q.name) == (1, 5, "a")


def test_dataclasses_functions_accept_records() -> None:
    assert dataclasses.is_dataclass(Point(1))
    assert [f.name for f in dataclasses.fields(Named)] == [
        "x", "y", "tags", "name", "hidden"]
    assert dataclasses.asdict(Point(1, 2, ["a"])) == {"x": 1, "y": 2, "tags": ["a"]}
    assert dataclasses.replace(Settings("p/"), depth=1) == Settings("p", 1)
    assert dataclasses.replace(Bag([3]), size=2) == Bag([3], 2)
