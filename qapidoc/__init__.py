"""qapidoc: lint, compare and document QAPI schemas.

`load_schema(path)` reads a schema with everything it includes and returns
the typed `Schema` model with every problem found as `Diagnostic`s.

The imports below (the stages every command loads, with `typing`, `enum`
and `re`) make some 10⁴ objects and no garbage: they run with the cyclic
collector off, which would otherwise walk them again and again.
"""

import gc

_COLLECTING = gc.isenabled()
gc.disable()
try:
    from qapidoc.core.source import Diagnostic, Location, Severity, SourceFile
    from qapidoc.schema.builder import load_schema
    from qapidoc.schema.model import (
        AlternateType,
        Branch,
        BuiltinType,
        Command,
        Condition,
        Definition,
        DocComment,
        EnumType,
        EnumValue,
        Event,
        Feature,
        Kind,
        Member,
        Module,
        Schema,
        Section,
        SectionKind,
        StructType,
        TypeRef,
        UnionType,
    )
finally:
    if _COLLECTING:
        gc.enable()
    del _COLLECTING

__version__ = "0.1.0"

__all__ = [
    "AlternateType",
    "Branch",
    "BuiltinType",
    "Command",
    "Condition",
    "Definition",
    "Diagnostic",
    "DocComment",
    "EnumType",
    "EnumValue",
    "Event",
    "Feature",
    "Kind",
    "Location",
    "Member",
    "Module",
    "Schema",
    "Section",
    "SectionKind",
    "Severity",
    "SourceFile",
    "StructType",
    "TypeRef",
    "UnionType",
    "__version__",
    "load_schema",
]
