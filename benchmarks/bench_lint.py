"""Benchmark ``qapidoc lint`` as a user runs it: whole process, wall time.

Runs each preset on QEMU's QMP schema ($QAPIDOC_QEMU_SRC, default
../shared/corpus/qemu beside the checkout) in
a subprocess, reports the median of N runs and the peak RSS of the
children, and compares with the targets of issue 3.  Exit 1 when a
target is missed; skips (exit 0) when QEMU's tree is absent.

With $QAPIDOC_BASE_TREE (a directory holding an earlier ``qapidoc``
package, e.g. from ``git archive REV qapidoc | tar -x -C DIR``) it instead
runs that tree and this checkout side by side, interleaved, both compiled
to bytecode and started as ``python -S`` through what each tree's
``qapidoc`` program runs (`_program`), and prints the ratio of the
medians for the default preset and ``qemu`` (issue 11 measures the
default preset against QEMU's checker through such a ratio).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import QEMU_SRC, qapidoc_cmd

SCHEMA = QEMU_SRC / "qapi" / "qapi-schema.json"

TARGETS = {"qemu": 0.25, "recommended": 0.4, "strict": 3.0}
"""Seconds, median wall time of the whole process."""
RSS_LIMIT_MB = 120


def run_once(preset: str) -> float:
    cmd = [*qapidoc_cmd(), "lint", "--preset", preset, "--exit-zero", str(SCHEMA)]
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"qapidoc lint --preset {preset} failed "
                         f"({done.returncode}): {done.stderr[-500:]}")
    return elapsed


def _program(tree: Path, args: list[str]) -> str:
    """What the tree's ``qapidoc`` program runs, as a ``-c`` script: its
    console entry point where it has one (which exits without tearing the
    model down), else ``sys.exit(main(...))`` as older trees' script did."""
    app = tree / "qapidoc" / "cli" / "app.py"
    if app.exists() and "def console(" in app.read_text(encoding="utf-8"):
        return (f"import sys; sys.argv = ['qapidoc', *{args!r}]; "
                "from qapidoc.cli.app import console; console()")
    return f"import sys; from qapidoc.cli import main; sys.exit(main({args!r}))"


def side_by_side(base: Path, runs: int) -> int:
    """Median wall and CPU time of `base` and this checkout, interleaved."""
    trees = {"base": base, "this": Path(__file__).resolve().parents[1]}
    for tree in trees.values():
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "qapidoc")],
                       check=True, stdout=subprocess.DEVNULL)
    for preset in (None, "qemu"):
        times: dict[str, list[tuple[float, float]]] = {k: [] for k in trees}
        for _ in range(runs):
            for name, tree in trees.items():
                # This checkout ignores configuration and the VERSION file
                # above QEMU's schema (which turns on more rules); an
                # earlier tree may not know --no-config, nor look for them.
                args = ["lint", *(["--no-config"] if name == "this" else []),
                        "--exit-zero", str(SCHEMA), *(["--preset", preset] if preset else [])]
                code = _program(tree, args)
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run([sys.executable, "-S", "-c", code], cwd="/",
                               env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               check=False)
                wall = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
                times[name].append((wall, cpu))
        med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
               for k, v in times.items()}
        for name, (wall, cpu) in med.items():
            print(f"{preset or 'default':<8} {name:<5} median wall {wall:.3f} s, CPU {cpu:.3f} s")
        print(f"{preset or 'default':<8} this/base: wall {med['this'][0] / med['base'][0]:.3f}, "
              f"CPU {med['this'][1] / med['base'][1]:.3f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=7)
    parser.add_argument("--preset", action="append", choices=sorted(TARGETS))
    args = parser.parse_args()
    if not SCHEMA.exists():
        print(f"skipped: {SCHEMA} not available (set QAPIDOC_QEMU_SRC)")
        return 0
    base = os.environ.get("QAPIDOC_BASE_TREE")
    if base:
        return side_by_side(Path(base), max(args.runs, 5))
    ok = True
    for preset in args.preset or list(TARGETS):
        run_once(preset)  # warm the file cache
        times = [run_once(preset) for _ in range(max(args.runs, 5))]
        median = statistics.median(times)
        verdict = "ok" if median <= TARGETS[preset] else "SLOW"
        ok = ok and verdict == "ok"
        print(f"{preset:<12} median {median:.3f} s  (min {min(times):.3f}, "
              f"max {max(times):.3f}, target {TARGETS[preset]} s)  {verdict}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rss_ok = peak <= RSS_LIMIT_MB
    print(f"peak RSS     {peak:.1f} MB  (limit {RSS_LIMIT_MB} MB)  "
          f"{'ok' if rss_ok else 'TOO BIG'}")
    return 0 if ok and rss_ok else 1


if __name__ == "__main__":
    sys.exit(main())
