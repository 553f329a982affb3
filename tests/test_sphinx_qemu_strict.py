"""``sphinx-build -W`` of QEMU's two reference pages passes with
``qapidoc_lint`` unset, and with it set the member-reference warnings are
exactly lint's QD204 findings, at the same lines (issue 11).

The pages QEMU's references link to elsewhere in its manual (the QMP
specification, the QAPI code generator guide, the s390x CPU topology
section) are stubbed, as QEMU's full manual has them.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
from pathlib import Path

from sphinx.cmd.build import build_main

from tests.conftest import need_qemu

PAGES = Path(__file__).parent / "cases" / "sphinx" / "qemu"
ROOTS = ("qapi/qapi-schema.json", "qga/qapi-schema.json")

STUBS = {
    "interop/qmp-spec.rst": ":orphan:\n\nQMP specification\n=================\n",
    "devel/qapi-code-gen.rst": ":orphan:\n\nQAPI code generator\n===================\n",
    "system/s390x/cpu-topology.rst": (":orphan:\n\n.. _cpu-topology-s390x:\n\n"
                                      "CPU topology on s390x\n=====================\n"),
}


def _build(tmp: Path, qemu: Path, conf: str = "") -> tuple[int, str]:
    src = tmp / "src"
    shutil.copytree(PAGES, src)
    for name, text in STUBS.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text)
    if conf:
        with open(src / "conf.py", "a", encoding="utf-8") as f:
            f.write(conf)
    warnings = tmp / "warnings.txt"
    env = dict(os.environ)
    os.environ["QAPIDOC_SRCTREE"] = str(qemu)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            status = build_main(["-b", "html", "-q", "-E", "-W", "--keep-going",
                                 "-w", str(warnings), str(src), str(tmp / "out")])
    finally:
        os.environ.clear()
        os.environ.update(env)
    return status, warnings.read_text()


def test_reference_pages_build_with_W_and_lint_unset(tmp_path: Path) -> None:
    qemu = need_qemu("qapi/qapi-schema.json").parents[1]
    status, warnings = _build(tmp_path, qemu)
    assert "qapidoc.member-ref" not in warnings
    assert status == 0 and warnings == "", warnings


def test_member_ref_warnings_are_lints_qd204_at_the_same_lines(tmp_path: Path) -> None:
    from qapidoc import load_schema
    from qapidoc.core.config import Config
    from qapidoc.lint import run_lint

    qemu = need_qemu("qapi/qapi-schema.json").parents[1]
    _, warnings = _build(tmp_path, qemu, 'qapidoc_lint = "recommended"\n')
    assert "qapidoc.member-ref" not in warnings
    built = {(m[1], int(m[2])) for m in re.finditer(
        r"^(\S+\.json):(\d+): WARNING: QD204 ", warnings, re.M)}
    linted = set()
    for root in ROOTS:
        schema = load_schema(str(qemu / root))
        result = run_lint(schema, Config().with_overrides(preset="recommended"))
        linted |= {(os.path.abspath(d.location.path), d.location.line)
                   for d in result.diagnostics if d.code == "QD204"}
    assert linted and built == linted
