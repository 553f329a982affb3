"""Benchmark ``qapidoc lint`` as a user runs it: whole process, wall time.

Runs each preset on QEMU's QMP schema ($QAPIDOC_QEMU_SRC, default
../shared/corpus/qemu beside the checkout) in
a subprocess, reports the median of N runs and the peak RSS of the
children, and compares with the targets of issue 3.  Exit 1 when a
target is missed; skips (exit 0) when QEMU's tree is absent.
"""

from __future__ import annotations

import argparse
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=7)
    parser.add_argument("--preset", action="append", choices=sorted(TARGETS))
    args = parser.parse_args()
    if not SCHEMA.exists():
        print(f"skipped: {SCHEMA} not available (set QAPIDOC_QEMU_SRC)")
        return 0
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
