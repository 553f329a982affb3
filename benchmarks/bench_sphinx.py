"""Benchmark for the Sphinx extension (issue 4), whole ``sphinx-build`` process:

- QEMU's QMP + guest-agent references (``.. qapi-doc::`` pages as in QEMU's
  docs), ``-b html`` from scratch: target ≤ 8 s median of ≥ 3 runs;
- rebuild after touching one module: ≤ 3 s — for the one-page layout above,
  for the same pages with ``qapidoc_split = True`` (index + generated module
  pages; full build ≤ ~8 s too) and for the one-page-per-module layout
  (``qapidoc_schemas``);
- peak RSS reported.

The corpus is copied to a temporary directory (touching must not change
../shared).  Run by hand: ``python benchmarks/bench_sphinx.py [runs]``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
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


def touched_rebuild(cmd: list[str], touch: Path, runs: int, env: dict[str, str]
                    ) -> dict[str, float]:
    """Median wall time of rebuilding after bumping *touch*'s mtime."""
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    times = []
    peak = 0
    for _ in range(runs):
        stamp = time.time()
        os.utime(touch, (stamp, stamp))
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        _, _status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        peak = max(peak, usage.ru_maxrss)
    return {"median_s": statistics.median(times), "min_s": min(times),
            "peak_rss_mib": peak / 1024, "runs": float(runs)}


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    corpus = need(QEMU_SRC)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "qemu"
        shutil.copytree(corpus, tree)
        env = {**os.environ, "QAPIDOC_SRCTREE": str(tree)}
        os.environ["QAPIDOC_SRCTREE"] = str(tree)

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
