"""qapidoc: lint, compare and document QAPI schemas.

`load_schema(path)` reads a schema with everything it includes and returns
the typed `Schema` model with every problem found as `Diagnostic`s.

The imports below (the stages every command loads, with `enum`
and `re`) make some 10⁴ objects and no garbage: they run with the cyclic
collector off, which would otherwise walk them again and again.  Turned
back on, its next young-generation pass would still walk them all once
(1–2 ms, a lint run's first collection): so they are moved to the oldest
generation first (`gc.freeze` then `gc.unfreeze`), as surviving two passes
would have, with the importing program's young objects (a full collection
still reaches them); not when the program has frozen objects of its own.
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
        if not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
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
