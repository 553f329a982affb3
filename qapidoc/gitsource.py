"""Schemas straight from git objects: ``git:REF:PATH`` without a checkout.

`git_opener("git:v10.1.0:qapi/qapi-schema.json")` returns the path inside
the repository and an opener that reads that path (and every include) from
REF with ``git cat-file``.  Used by lint's ``--against`` and by compat.
"""

from __future__ import annotations

import os
import subprocess

from .reader import FileOpener


class GitSpecError(ValueError):
    """A ``git:REF:PATH`` that cannot be used; the message says why."""


def parse_git_spec(spec: str) -> tuple[str, str]:
    """Split ``git:REF:PATH`` into REF and PATH."""
    body = spec[4:] if spec.startswith("git:") else spec
    ref, sep, path = body.partition(":")
    if not sep or not ref or not path:
        raise GitSpecError(f"'{spec}' is not of the form git:REF:PATH")
    return ref, path


def _toplevel(cwd: str) -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd,
                             capture_output=True, text=True, check=False)
    except OSError as e:
        raise GitSpecError(f"cannot run git: {e.strerror}") from None
    if out.returncode != 0:
        raise GitSpecError(f"not inside a git repository: {cwd}")
    return out.stdout.strip()


def git_opener(spec: str, cwd: str | None = None) -> tuple[str, FileOpener]:
    """The repository-relative path of the root schema, and an opener that
    reads paths (relative to the repository top) from REF."""
    ref, path = parse_git_spec(spec)
    cwd = cwd or os.getcwd()
    top = _toplevel(cwd)
    # PATH is relative to the working directory, like `git show REF:./PATH`.
    rel = os.path.normpath(os.path.relpath(os.path.join(cwd, path), top))
    check = subprocess.run(["git", "rev-parse", "--verify", "--quiet",
                            ref + "^{commit}"], cwd=top, capture_output=True,
                           text=True, check=False)
    if check.returncode != 0:
        raise GitSpecError(f"unknown git revision '{ref}'")

    def opener(p: str) -> tuple[str | None, str]:
        obj = f"{ref}:{os.path.normpath(p)}"
        res = subprocess.run(["git", "cat-file", "blob", obj], cwd=top,
                             capture_output=True, check=False)
        if res.returncode != 0:
            return None, f"no such file in {ref}"
        try:
            return res.stdout.decode("utf-8"), ""
        except UnicodeDecodeError as e:
            return None, f"not valid UTF-8 (offset {e.start})"

    return rel, opener
