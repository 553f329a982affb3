"""Benchmark for compat and history (issues 5 and 12), whole process:

- ``qapidoc compat`` of two releases (10.1.0 → 10.2.0, and 10.2.0 → the
  development tree): target ≤ 0.6 s median of ≥ 5 runs;
- the same with OLD read from git objects (``git:v10.1.0:...``) in a
  temporary repository: ≤ 0.6 s;
- ``qapidoc compat`` of two ``query-qmp-schema`` replies (made from 10.1.0
  and 10.2.0 by tests/introspect.py): reported;
- ``qapidoc history`` over every release in the corpus: ≤ 3 s.

Each line also gives the median CPU time (user + system) of the runs: on a
shared machine it says what the work costs when wall time does not.

Run by hand: ``python benchmarks/bench_compat.py``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import SHARED, need, qapidoc_cmd, report, run_timed

RELEASES = SHARED / "corpus" / "qemu-releases"


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


def replies(tmp: Path) -> tuple[Path, Path]:
    """query-qmp-schema replies of 10.1.0 and 10.2.0."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from qapidoc import load_schema
    from tests.introspect import introspect

    out = []
    for version in ("10.1.0", "10.2.0"):
        path = tmp / f"{version}.json"
        path.write_text(json.dumps({"return": introspect(load_schema(str(schema(version))))},
                                   indent=1))
        out.append(path)
    return out[0], out[1]


def main() -> int:
    cmd = [*qapidoc_cmd(), "compat", "--no-config", "--format", "json"]
    ok = True
    res = run_timed([*cmd, str(schema("10.1.0")), str(schema("10.2.0"))], runs=7)
    ok &= report("compat 10.1.0 -> 10.2.0", res, 0.6)
    dev = SHARED / "corpus" / "qemu" / "qapi" / "qapi-schema.json"
    if dev.exists():
        res = run_timed([*cmd, str(schema("10.2.0")), str(dev)], runs=7)
        ok &= report("compat 10.2.0 -> dev tree", res, 0.6)
    if shutil.which("git"):
        with tempfile.TemporaryDirectory() as tmp:
            repo = git_repo(Path(tmp))
            res = run_timed([*cmd, "git:v10.1.0:qapi/qapi-schema.json",
                             "qapi/qapi-schema.json"], runs=7, cwd=repo)
            ok &= report("compat git:v10.1.0 -> working tree", res, 0.6)
    with tempfile.TemporaryDirectory() as tmp:
        old, new = replies(Path(tmp))
        report("compat of two query-qmp-schema replies (10.1.0 -> 10.2.0)",
               run_timed([*cmd, str(old), str(new)], runs=7))
    versions = sorted((p.name for p in RELEASES.iterdir() if (p / "qapi").is_dir()),
                      key=lambda v: tuple(int(n) for n in v.split(".")))
    hist = [*qapidoc_cmd(), "history", "--format", "json",
            *(f"{v}={schema(v)}" for v in versions)]
    ok &= report(f"history over {len(versions)} releases ({versions[0]} to "
                 f"{versions[-1]})", run_timed(hist, runs=5), 3.0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
