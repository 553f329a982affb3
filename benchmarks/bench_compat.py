"""Benchmark for compat and history (issue 5), whole process:

- ``qapidoc compat`` of two full QMP schemas (10.1.0 → 10.2.0, and 10.2.0 →
  the development tree): target ≤ 1 s median of ≥ 5 runs;
- the same with OLD read from git objects (``git:v10.1.0:...``) in a
  temporary repository: ≤ 1 s;
- ``qapidoc history`` over the four releases: reported, no target.

Run by hand: ``python benchmarks/bench_compat.py``."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import QEMU_SRC, SHARED, need, qapidoc_cmd, report, run_timed

RELEASES = SHARED / "corpus" / "qemu-releases"
VERSIONS = ("9.2.0", "10.0.0", "10.1.0", "10.2.0")


def schema(version: str) -> Path:
    return need(RELEASES / version / "qapi" / "qapi-schema.json")


def git_repo(tmp: Path) -> Path:
    """A repository whose tag v10.1.0 holds 10.1.0's qapi/ and whose working
    tree holds 10.2.0's."""
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.email=b@example.com", "-c",
                        "user.name=bench", *args], cwd=tmp, check=True,
                       capture_output=True)

    git("init", "-q")
    shutil.copytree(schema("10.1.0").parent, tmp / "qapi")
    git("add", ".")
    git("commit", "-qm", "10.1.0")
    git("tag", "v10.1.0")
    shutil.rmtree(tmp / "qapi")
    shutil.copytree(schema("10.2.0").parent, tmp / "qapi")
    return tmp


def main() -> int:
    cmd = [*qapidoc_cmd(), "compat", "--no-config", "--format", "json"]
    ok = True
    res = run_timed([*cmd, str(schema("10.1.0")), str(schema("10.2.0"))], runs=7)
    ok &= report("compat 10.1.0 -> 10.2.0", res, 1.0)
    dev = QEMU_SRC / "qapi" / "qapi-schema.json"
    if dev.exists():
        res = run_timed([*cmd, str(schema("10.2.0")), str(dev)], runs=7)
        ok &= report("compat 10.2.0 -> dev tree", res, 1.0)
    if shutil.which("git"):
        with tempfile.TemporaryDirectory() as tmp:
            repo = git_repo(Path(tmp))
            res = run_timed([*cmd, "git:v10.1.0:qapi/qapi-schema.json",
                             "qapi/qapi-schema.json"], runs=7, cwd=repo)
            ok &= report("compat git:v10.1.0 -> working tree", res, 1.0)
    hist = [*qapidoc_cmd(), "history", "--format", "json",
            *(f"{v}={schema(v)}" for v in VERSIONS)]
    report("history over 4 releases", run_timed(hist, runs=5))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
