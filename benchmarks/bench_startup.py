"""Lint start-up: ``qapidoc lint`` on a minimal schema, whole process.

What a pre-commit hook pays on every commit that touches one small file:
interpreter start, imports, configuration lookup, one tiny schema.  Prints
the median of N runs of wall time and of the child's CPU time (user + sys,
from getrusage), next to a bare ``python -c pass`` for scale.  Optionally
compares with another checkout (``--against DIR``: run from that source
tree, as ``python -m qapidoc.cli``).

Run by hand: ``python benchmarks/bench_startup.py [-n 9] [--against DIR]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

MINIMAL = """\
##
# @ping:
#
# Check the server.
#
# Since: 9.0
##
{ 'command': 'ping' }
"""


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measure(rows: list[tuple[str, list[str], dict[str, str] | None]], runs: int,
            cwd: Path) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds of each command over `runs` rounds; the
    commands take turns, so a change of machine load hits all alike."""
    walls: dict[str, list[float]] = {name: [] for name, _, _ in rows}
    cpus: dict[str, list[float]] = {name: [] for name, _, _ in rows}
    for _name, cmd, env in rows:  # warm the caches (and compile bytecode)
        subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
    for _ in range(runs):
        for name, cmd, env in rows:
            cpu0, t0 = _cpu(), time.perf_counter()
            done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
            walls[name].append(time.perf_counter() - t0)
            cpus[name].append(_cpu() - cpu0)
            if done.returncode != 0:
                raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): "
                                 f"{done.stderr.decode()[-400:]}")
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name]))
            for name, _, _ in rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=9)
    parser.add_argument("--against", metavar="DIR",
                        help="another qapidoc source tree to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        here = Path(tmp)
        (here / "minimal.json").write_text(MINIMAL)
        rows: list[tuple[str, list[str], dict[str, str] | None]] = [
            ("python -c pass", [sys.executable, "-c", "pass"], None)]
        for name, tree in (("this tree", REPO), ("--against", args.against)):
            if tree is None:
                continue
            env = {**os.environ, "PYTHONPATH": str(Path(tree).resolve())}
            rows.append((f"qapidoc lint ({name})",
                         [sys.executable, "-m", "qapidoc.cli", "lint", "minimal.json"], env))
        for name, (wall, cpu) in measure(rows, args.runs, here).items():
            print(f"{name:<28} wall {wall * 1000:6.1f} ms   cpu {cpu * 1000:6.1f} ms  "
                  f"(median of {args.runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
