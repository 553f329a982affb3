"""Fast paths taken for speed find exactly what the plain forms find."""

from __future__ import annotations

import random

from qapidoc.core import allowlist


def _texts(alphabet: str, count: int, longest: int) -> list[str]:
    rng = random.Random(20261203)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest)))
            for _ in range(count)]


def test_explicit_markup_starts_agree_with_the_pattern() -> None:
    for text in _texts(" .\n|\tx\u00a0\u2028:", 20000, 10):
        expected = [m.start() for m in allowlist._EXPLICIT.finditer(text)]
        assert list(allowlist._explicit_starts(text)) == expected, repr(text)


def test_may_drop_agrees_with_its_patterns() -> None:
    def plain(text: str) -> bool:
        for found in allowlist._EXPLICIT.finditer(text):
            directive = allowlist._ALLOWED_DIRECTIVE_AT.match(text, found.start())
            if directive is None or allowlist.DIRECTIVES.get(
                    directive.group(1).lower(), ()) is not None:
                return True
        for found in allowlist._ROLE.finditer(text):
            if not allowlist.role_allowed(found.group(1) or found.group(2)):
                return True
        return allowlist._EMBEDDED_OR_ANONYMOUS.search(text) is not None

    pieces = [" ", "\n", ".. ", "..", "note", "::", ":", "`", "__", ">`_", "raw",
              "code-block", "ref", "|", "x", "_"]
    rng = random.Random(7)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 9)))
        assert allowlist.may_drop(text) == plain(text), repr(text)
