"""Severity is a promise (docs/rules.rst): error = the schema is wrong or
its documentation renders wrongly (or states something false about the
interface); warning = a likely mistake; info = advice.

Every rule's default severity was judged against that policy; the verdict
and its one-line reason are below.  A new rule, or a changed severity,
fails here until someone judges it and writes the reason down.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qapidoc.core.registry import RULES
from qapidoc.lint import load_rules

_QEMU = "QEMU's checker rejects it: the schema is wrong"
_LEGACY = "QEMU's checker rejects it since it dropped the old form: the schema is wrong today"
_RENDER = "the documentation renders wrongly"
_FALSE = "the documentation states something false about the interface"
_MISTAKE = "a likely mistake"
_ADVICE = "advice: renders the same, or QEMU writes it so on purpose"

JUDGED: dict[str, tuple[str, str]] = {
    "QA001": ("error", _QEMU), "QA002": ("error", "the input cannot be read at all"),
    "QA003": ("error", _QEMU), "QA004": ("error", _QEMU), "QA005": ("error", _QEMU),
    "QA006": ("warning", _MISTAKE + ": QEMU accepts an empty file, but it is "
              "almost always truncated or the wrong path"),
    "QA101": ("error", _QEMU), "QA102": ("error", _QEMU), "QA103": ("error", _QEMU),
    "QA104": ("error", _QEMU), "QA201": ("error", _QEMU), "QA202": ("error", _QEMU),
    "QA203": ("error", _QEMU), "QA204": ("error", _QEMU), "QA205": ("error", _QEMU),
    "QA206": ("error", _QEMU), "QA207": ("error", _QEMU), "QA208": ("error", _QEMU),
    "QA209": ("error", _QEMU), "QA210": ("error", _QEMU), "QA211": ("error", _QEMU),
    "QA301": ("error", _QEMU), "QA302": ("error", _QEMU), "QA303": ("error", _QEMU),
    "QA304": ("error", _QEMU),
    "QD101": ("warning", _MISTAKE + ": a definition without Since:"),
    "QD102": ("error", _RENDER + ": the doc generator reads the Since as body text"),
    "QD103": ("info", _ADVICE + ": '10.2.0' and '10.2' say the same"),
    "QD104": ("error", _FALSE + ": a release that does not exist yet"),
    "QD105": ("warning", _MISTAKE + " against the since-note-style the project chose"),
    "QD106": ("info", _ADVICE + ": prose after the note still reads"),
    "QD107": ("warning", _MISTAKE + ": a copy-paste slip, but types are split "
              "and renamed so it is not certain"),
    "QD108": ("info", _ADVICE + ": renders the same"),
    "QD110": ("warning", _MISTAKE + ": a new wire item without its release"),
    "QD111": ("error", _FALSE + ": the previous release contradicts it"),
    "QD112": ("warning", _MISTAKE + ": the releases given may have gaps, and a type "
              "may date its content before the wire used it"),
    "QD201": ("warning", _MISTAKE + ": an undocumented definition"),
    "QD202": ("warning", _MISTAKE + ": a stale exception lets the next undocumented "
              "member in"),
    "QD203": ("info", _ADVICE + ": QEMU's idiom for new enum values"),
    "QD204": ("error", _RENDER + ": '@name' points at nothing"),
    "QD205": ("info", _ADVICE + ": repeats the type, renders fine"),
    "QD206": ("warning", _MISTAKE + ": QEMU's specification asks for a list"),
    "QD207": ("info", _ADVICE + ": says no replacement"),
    "QD208": ("info", _ADVICE + ": QEMU writes such references on purpose"),
    "QD209": ("warning", _MISTAKE + ": '@Name' should be `Name`, a link"),
    "QD301": ("warning", _MISTAKE + ": a slip from QEMU's two-space convention "
              "(QA304 is the part QEMU rejects)"),
    "QD302": ("warning", _MISTAKE + ": trailing blanks are never meant"),
    "QD303": ("warning", _MISTAKE + ": a slip from the four-space convention"),
    "QD304": ("error", _RENDER + ": rST does not see the list, or warns (QEMU builds with -W)"),
    "QD305": ("info", _ADVICE + ": renders the same"),
    "QD306": ("info", _ADVICE + ": renders the same"),
    "QD307": ("error", _RENDER + ": the build drops the markup"),
    "QD308": ("error", _RENDER + ": docutils reports it malformed"),
    "QD401": ("error", _FALSE + ": an example message that is not JSON"),
    "QD402": ("error", _FALSE + ": an example of a command that does not exist"),
    "QD403": ("error", _FALSE + ": an example a client could not send or receive"),
    "QD404": ("error", _FALSE + ": an example call QEMU would reject"),
    "QD405": ("error", _FALSE + ": an example value QEMU would reject"),
    "QD406": ("warning", _MISTAKE + ": events always carry a timestamp"),
    "QD501": ("warning", _MISTAKE + ": x- without unstable (some are stable by decision)"),
    "QD502": ("info", _ADVICE + ": naming style of new names"),
    "QD503": ("info", _ADVICE + ": naming style; wire names cannot change"),
    "QD601": ("warning", _MISTAKE + ": a stale suppression hides the next finding"),
    "QD602": ("warning", _MISTAKE + ": a suppression that silences nothing known"),
    "QL001": ("error", _LEGACY), "QL002": ("error", _LEGACY), "QL003": ("error", _LEGACY),
    "QL004": ("error", _LEGACY), "QL005": ("error", _LEGACY),
    "QL006": ("error", _LEGACY), "QL103": ("error", _LEGACY), "QL104": ("error", _LEGACY),
    "QL105": ("error", _LEGACY),
}


@pytest.fixture(scope="module", autouse=True)
def _rules() -> None:
    load_rules()


def test_every_rule_has_a_judged_severity() -> None:
    assert sorted(RULES) == sorted(JUDGED), "judge new rules here"
    wrong = {code: (str(r.severity), JUDGED[code][0]) for code, r in RULES.items()
             if str(r.severity) != JUDGED[code][0]}
    assert wrong == {}, "severity changed: judge it against the policy here"


@pytest.mark.parametrize("code", sorted(JUDGED))
def test_reason_matches_the_policy(code: str) -> None:
    severity, reason = JUDGED[code]
    expected = {"error": (_QEMU, _LEGACY, _RENDER, _FALSE, "the input cannot be read"),
                "warning": (_MISTAKE,), "info": (_ADVICE,)}[severity]
    assert reason.startswith(expected), (code, reason)


def test_every_rule_says_why_it_matters() -> None:
    """The rule's own metadata carries the reason a user reads
    (``qapidoc rules CODE``: "Why it matters")."""
    assert [c for c, r in RULES.items() if len(r.rationale.split()) < 5] == []


def test_policy_page_names_the_exceptions() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "rules.rst").read_text()
    policy = text.split("Severity is a promise")[1].split("Each rule is calibrated")[0]
    non_error_qa = sorted(c for c, (s, _) in JUDGED.items()
                          if c.startswith("QA") and s != "error")
    assert non_error_qa == ["QA006"]
    assert "QA006" in policy
