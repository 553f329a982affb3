"""Every QEMU release in the corpus, read by the front end: findings of
``lint --preset qemu`` by group, and the load time (whole process, median).

The acceptance line of the front-end issue: each release loads with no
finding outside the ``legacy`` group and the markup rules of its time
(QA302 line length, QA304 sentence spacing).  Exit 1 when one does.

Run by hand: ``python benchmarks/bench_releases.py`` (needs
$QAPIDOC_QEMU_RELEASES, default ../shared/corpus/qemu-releases)."""

from __future__ import annotations

import collections
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import SHARED, need, qapidoc_cmd, run_timed

RELEASES = Path(os.environ.get("QAPIDOC_QEMU_RELEASES")
                or SHARED / "corpus" / "qemu-releases")
MARKUP_OF_ITS_TIME = ("QA302", "QA304")


def version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split("."))


def main() -> int:
    from qapidoc import load_schema
    from qapidoc.core.config import Config
    from qapidoc.core.registry import RULES
    from qapidoc.lint.engine import load_rules, run_lint

    load_rules()

    need(RELEASES)
    cmd = [*qapidoc_cmd(), "lint", "--preset", "qemu", "--exit-zero"]
    ok = True
    print(f"{'release':8} {'legacy':>7} {'QA302':>6} {'QA304':>6} {'other':>6}"
          f" {'load (in-process CPU)':>22} {'lint (process, median)':>23}")
    for version in sorted((p.name for p in RELEASES.iterdir()), key=version_key):
        root = RELEASES / version / "qapi" / "qapi-schema.json"
        if not root.exists():
            continue
        start = time.process_time()
        schema = load_schema(str(root))
        load_cpu = time.process_time() - start
        groups: collections.Counter[str] = collections.Counter()
        other: list[str] = []
        for diag in run_lint(schema, Config(preset="qemu")).diagnostics:
            rule = RULES[diag.code]
            if rule.group == "legacy":
                groups["legacy"] += 1
            elif diag.code in MARKUP_OF_ITS_TIME:
                groups[diag.code] += 1
            else:
                groups["other"] += 1
                other.append(f"  {diag.location}: {diag.code} {diag.message}")
        timed = run_timed([*cmd, str(root)], runs=5)
        print(f"{version:8} {groups['legacy']:7} {groups['QA302']:6} "
              f"{groups['QA304']:6} {groups['other']:6} {load_cpu:20.3f} s "
              f"{timed['median_s']:21.3f} s")
        for line in other:
            print(line)
        ok &= not other
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
