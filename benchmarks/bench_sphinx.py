"""Benchmark for the Sphinx extension (issue 4), whole ``sphinx-build`` process:

- QEMU's QMP + guest-agent references (``.. qapi-doc::`` pages as in QEMU's
  docs), ``-b html`` from scratch: target ≤ 8 s median of ≥ 3 runs;
- rebuild after touching one module: ≤ 3 s — for the one-page layout above,
  for the same pages with ``qapidoc_split = True`` (index + generated module
  pages; full build ≤ ~8 s too) and for the one-page-per-module layout
  (``qapidoc_schemas``);
- peak RSS reported;
- issue 14, QEMU's QMP reference alone: full build (one page and split, CPU
  and wall), ``searchindex.js`` ≤ 400 KB, and in split mode a rebuild after
  touching ``qapi/job.json`` ≤ 0.12× and after ``qapi/block-core.json``
  ≤ 0.3× the full build (CPU time).  ``--qmp`` runs only these.

The corpus is copied to a temporary directory (touching must not change
../shared).  Run by hand: ``python benchmarks/bench_sphinx.py [--qmp] [runs]``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import QEMU_SRC, REPO, need, report, run_timed

PAGES = REPO / "tests" / "cases" / "sphinx" / "qemu"
TOUCHED = "qapi/job.json"

SPLIT_CONF = """\
extensions = ["sphinx_ext"]
project = "QEMU"
qapidoc_srctree = {srctree!r}
qapidoc_schemas = {{
    "qmp": {{"path": "qapi/qapi-schema.json", "namespace": "QMP", "title": "QMP Reference"}},
    "qga": {{"path": "qga/qapi-schema.json", "namespace": "QGA", "title": "QGA Reference"}},
}}
"""
SPLIT_INDEX = """\
QEMU references
===============

.. toctree::

   qmp/index
   qga/index
"""


def sphinx_cmd(src: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "sphinx", "-b", "html", "-q", *extra, str(src), str(out)]


def timed_rebuilds(cmd: list[str], change: Callable[[int], None], runs: int,
                   env: dict[str, str]) -> dict[str, float]:
    """Median wall and CPU time of rebuilding after `change(run)`, after
    one build that brings the output up to date."""
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    times: list[float] = []
    cpu: list[float] = []
    peak = 0
    for run in range(runs):
        change(run)
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        _, _status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        cpu.append(usage.ru_utime + usage.ru_stime)
        peak = max(peak, usage.ru_maxrss)
    return {"median_s": statistics.median(times), "min_s": min(times),
            "cpu_s": statistics.median(cpu), "peak_rss_mib": peak / 1024,
            "runs": float(runs)}


def touched_rebuild(cmd: list[str], touch: Path, runs: int, env: dict[str, str]
                    ) -> dict[str, float]:
    """Rebuilds after bumping *touch*'s mtime."""
    def bump(_run: int) -> None:
        stamp = time.time()
        os.utime(touch, (stamp, stamp))

    return timed_rebuilds(cmd, bump, runs, env)


_MEMBER_LINE = re.compile(r"^# @[\w-]+: \S.*$", re.MULTILINE)


def edited_rebuild(cmd: list[str], path: Path, runs: int, env: dict[str, str]
                   ) -> dict[str, float]:
    """Rebuilds after editing the text of *path*'s last member description
    (a sentence added, then taken away again): what an author's edit costs,
    not only a touch.  The file is restored after."""
    original = path.read_text(encoding="utf-8")
    line = list(_MEMBER_LINE.finditer(original))[-1]
    texts = [original[:line.end()] + " Edited." + original[line.end():], original]

    def edit(run: int) -> None:
        path.write_text(texts[run % 2], encoding="utf-8")

    try:
        return timed_rebuilds(cmd, edit, runs, env)
    finally:
        path.write_text(original, encoding="utf-8")


def ratio(name: str, rebuild: dict[str, float], full: dict[str, float], limit: float) -> bool:
    """Print a rebuild's CPU and wall time as a fraction of the full build's;
    the target is judged on CPU time (wall time is noisy on a shared machine)."""
    cpu = rebuild["cpu_s"] / full["cpu_s"]
    wall = rebuild["median_s"] / full["median_s"]
    good = cpu <= limit
    print(f"{name}: {cpu:.3f}x the full build's CPU, {wall:.3f}x its wall time"
          f"  [target ≤ {limit}x: {'ok' if good else 'MISSED'}]")
    return good


QMP_PAGES = {"conf.py": """\
extensions = ["sphinx_ext"]
project = "QEMU"
qapidoc_srctree = {srctree!r}
qapi_namespaces = {{"QGA", "QMP", "QSD"}}
qapidoc_split = {split}
root_doc = "qemu-qmp-ref"
""", "qemu-qmp-ref.rst": """\
QEMU QMP Reference Manual
=========================

.. qapi-doc:: qapi/qapi-schema.json
   :namespace: QMP
"""}


def qmp_reference(root: Path, tree: Path, runs: int, env: dict[str, str]) -> bool:
    """Issue 14: QEMU's QMP reference alone, one page and split, with the
    rebuild after touching a small and the largest module (split)."""
    ok = True
    results = {}
    for split in (False, True):
        src = root / f"qmp-{'split' if split else 'one-page'}"
        src.mkdir()
        for name, text in QMP_PAGES.items():
            (src / name).write_text(text.format(srctree=str(tree), split=split))
        out = root / f"out-{src.name}"
        full = run_timed(sphinx_cmd(src, out, "-E"), runs=runs)
        report(f"QMP reference ({src.name}), full html build", full)
        results[split] = (src, out, full)
        index = out / "searchindex.js"
        size = index.stat().st_size
        good = size <= 400_000
        ok &= good
        print(f"QMP reference ({src.name}): searchindex.js {size / 1000:.0f} KB"
              f"  [target ≤ 400 KB: {'ok' if good else 'MISSED'}]")
    src, out, full = results[True]
    for module, limit in (("qapi/job.json", 0.12), ("qapi/block-core.json", 0.3)):
        inc = touched_rebuild(sphinx_cmd(src, out), tree / module, runs, env)
        report(f"QMP reference (split), rebuild after touching {module}", inc)
        ok &= ratio(f"QMP reference (split), rebuild after touching {module}", inc, full, limit)
        edit = edited_rebuild(sphinx_cmd(src, out), tree / module, runs, env)
        ratio(f"QMP reference (split), rebuild after editing a description in {module}",
              edit, full, limit)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="?", type=int, default=3, help="runs per figure")
    parser.add_argument("--qmp", action="store_true",
                        help="only issue 14's figures for QEMU's QMP reference")
    opts = parser.parse_args()
    only_qmp, runs = opts.qmp, opts.runs
    corpus = need(QEMU_SRC)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "qemu"
        shutil.copytree(corpus, tree)
        env = {**os.environ, "QAPIDOC_SRCTREE": str(tree)}
        os.environ["QAPIDOC_SRCTREE"] = str(tree)

        ok &= qmp_reference(Path(tmp), tree, runs, env)
        if only_qmp:
            return 0 if ok else 1

        src = Path(tmp) / "pages"
        shutil.copytree(PAGES, src)
        full = run_timed(sphinx_cmd(src, Path(tmp) / "out-full", "-E"), runs=runs)
        ok &= report("QMP + QGA references, full html build", full, 8.0)
        inc = touched_rebuild(sphinx_cmd(src, Path(tmp) / "out-inc"), tree / TOUCHED, runs, env)
        ok &= report(f"one-page layout, rebuild after touching {TOUCHED}", inc, 3.0)

        opted = Path(tmp) / "pages-split"
        shutil.copytree(PAGES, opted)
        with open(opted / "conf.py", "a", encoding="utf-8") as conf:
            conf.write("qapidoc_split = True\n")
        ofull = run_timed(sphinx_cmd(opted, Path(tmp) / "out-opted", "-E"), runs=runs)
        ok &= report("one-page sources, qapidoc_split = True, full html build", ofull, 8.0)
        oj2 = run_timed(sphinx_cmd(opted, Path(tmp) / "out-opted-j2", "-E", "-j", "2"),
                        runs=runs)
        report("one-page sources, qapidoc_split = True, full html build -j 2", oj2)
        oinc = touched_rebuild(sphinx_cmd(opted, Path(tmp) / "out-opted-inc"),
                               tree / TOUCHED, runs, env)
        ok &= report(f"one-page sources, qapidoc_split = True, rebuild after touching "
                     f"{TOUCHED}", oinc, 3.0)

        split = Path(tmp) / "split"
        split.mkdir()
        (split / "conf.py").write_text(SPLIT_CONF.format(srctree=str(tree)))
        (split / "index.rst").write_text(SPLIT_INDEX)
        sfull = run_timed(sphinx_cmd(split, Path(tmp) / "out-split", "-E"), runs=runs)
        report("per-module layout (qapidoc_schemas), full html build", sfull)
        sj2 = run_timed(sphinx_cmd(split, Path(tmp) / "out-split-j2", "-E", "-j", "2"),
                        runs=runs)
        report("per-module layout (qapidoc_schemas), full html build -j 2", sj2)
        sinc = touched_rebuild(sphinx_cmd(split, Path(tmp) / "out-split-inc"),
                               tree / TOUCHED, runs, env)
        ok &= report(f"per-module layout (qapidoc_schemas), rebuild after touching "
                     f"{TOUCHED}", sinc, 3.0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
