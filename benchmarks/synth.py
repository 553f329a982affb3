"""Synthesize a schema N times as large as QEMU's QMP schema.

Each copy lives in its own directory with every definition renamed
(types get a ``CopyK`` suffix, commands ``-copyK``, events ``_COPYK``), so
the result is one valid schema with N times the definitions and docs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from qapidoc import Command, Event, load_schema

_QUOTED = re.compile(r"'([^'\\\n]*)'")
_DEFN = re.compile(r"'(command|event)'(\s*:\s*)'([^']*)'")
_DOC_SYMBOL = re.compile(r"^(##\n# @)([^:\n]+)(:)", re.M)


def synthesize(source_root: Path, out: Path, copies: int) -> Path:
    schema = load_schema(str(source_root))
    types = {d.name for d in schema.definitions
             if not isinstance(d, Command | Event)}
    commands = {d.name for d in schema.definitions if isinstance(d, Command)}
    events = {d.name for d in schema.definitions if isinstance(d, Event)}
    src_dir = source_root.parent
    files = sorted(src_dir.glob("*.json"))
    includes = []
    for k in range(copies):
        cdir = out / f"copy{k}"
        cdir.mkdir(parents=True, exist_ok=True)

        def rename(name: str, k: int = k) -> str:
            if name in types:
                return f"{name}Copy{k}"
            if name in commands:
                return f"{name}{'_' if '_' in name else '-'}copy{k}"
            if name in events:
                return f"{name}_COPY{k}"
            return name

        for f in files:
            text = f.read_text()
            text = _DEFN.sub(lambda m: f"'{m[1]}'{m[2]}'{rename(m[3])}'", text)
            is_pragma = f.name == "pragma.json"
            text = _QUOTED.sub(
                lambda m, p=is_pragma: f"'{rename(m[1])}'" if m[1] in types or (
                    p and m[1] in commands) else m[0],
                text)
            text = _DOC_SYMBOL.sub(lambda m: m[1] + rename(m[2]) + m[3], text)
            (cdir / f.name).write_text(text)
        includes.append(f"{{ 'include': 'copy{k}/{source_root.name}' }}")
    root = out / "synth-schema.json"
    root.write_text("\n".join(includes) + "\n")
    return root


if __name__ == "__main__":
    src, dst, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    print(synthesize(src, dst, n))
