"""Helpers for the benchmark scripts: whole-process timing with peak RSS."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def precompile() -> None:
    """Write .pyc files, as installing a package does.  This environment
    sets PYTHONDONTWRITEBYTECODE, so without this every benchmarked run
    would compile qapidoc from source (about 25 ms)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "qapidoc"),
                    str(REPO / "sphinx_ext")], check=True, stdout=subprocess.DEVNULL)


def qapidoc_cmd() -> list[str]:
    """The console script pip installed beside this interpreter — what
    users run — rather than a pyenv shim on PATH (a bash script that adds
    about 45 ms); else the module."""
    precompile()
    script = Path(sys.executable).parent / "qapidoc"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "qapidoc.cli"]


def run_timed(cmd: list[str], runs: int = 5, cwd: Path | None = None) -> dict[str, float]:
    """Median and min wall time of `runs` runs, and the peak RSS (MiB) of
    the worst run (measured with wait4, per child)."""
    times: list[float] = []
    cpu: list[float] = []
    peak = 0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            sys.exit(f"benchmark command failed (exit {proc.returncode}): "
                     + " ".join(cmd))
        peak = max(peak, usage.ru_maxrss)
        cpu.append(usage.ru_utime + usage.ru_stime)
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024
    return {
        "median_s": statistics.median(times),
        "cpu_s": statistics.median(cpu),
        "min_s": min(times),
        "peak_rss_mib": peak / scale,
        "runs": float(runs),
    }


def need(path: Path) -> Path:
    if not path.exists():
        sys.exit(f"skipped: {path} is not available")
    return path


def report(name: str, result: dict[str, float], limit_s: float | None = None,
           limit_mib: float | None = None) -> bool:
    ok = True
    line = (f"{name}: median {result['median_s']:.3f} s (min "
            f"{result['min_s']:.3f} s, {int(result['runs'])} runs; median CPU "
            f"{result.get('cpu_s', 0.0):.3f} s), peak RSS "
            f"{result['peak_rss_mib']:.1f} MiB")
    if limit_s is not None:
        good = result["median_s"] <= limit_s
        ok &= good
        line += f"  [target ≤ {limit_s} s: {'ok' if good else 'MISSED'}]"
    if limit_mib is not None:
        good = result["peak_rss_mib"] <= limit_mib
        ok &= good
        line += f"  [RSS ≤ {limit_mib} MiB: {'ok' if good else 'MISSED'}]"
    print(line)
    _ = resource  # peak RSS comes from wait4's rusage
    return ok
