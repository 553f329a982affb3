"""Benchmark for the front end (issue 2), whole process:

- ``qapidoc lint --preset qemu`` on QEMU's QMP schema: target ≤ 0.25 s
  median of ≥ 5 runs, peak RSS ≤ 60 MiB;
- a synthesized schema 10× as large: ≤ 11× the time.

Run by hand: ``python benchmarks/bench_frontend.py``."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import QEMU_SRC, need, qapidoc_cmd, report, run_timed
from synth import synthesize


def main() -> int:
    qmp = need(QEMU_SRC / "qapi" / "qapi-schema.json")
    cmd = [*qapidoc_cmd(), "lint", "--preset", "qemu"]
    base = run_timed([*cmd, str(qmp)], runs=7)
    ok = report("lint --preset qemu, QMP schema", base, 0.25, 60)
    with tempfile.TemporaryDirectory() as tmp:
        root = synthesize(qmp, Path(tmp), 10)
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*.json"))
        big = run_timed([*cmd, str(root)], runs=5)
        ok &= report(f"lint --preset qemu, synthesized 10x ({size / 2**20:.1f} MiB)",
                     big, 11 * base["median_s"])
        print(f"ratio: {big['median_s'] / base['median_s']:.2f}x (target ≤ 11x)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
