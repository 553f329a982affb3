"""The ``qmp`` Pygments lexer: exact round trip, distinct markers, no errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import Error, Name, Punctuation, String, Text, Token
from pygments.util import ClassNotFound

from sphinx_ext.render.lexer import CLIENT, ELISION, SERVER, QMPLexer

TRANSCRIPTS = {
    "one-line": '-> { "execute": "query-block" }\n<- { "return": [ ... ] }\n',
    "multi-line": (
        '-> { "execute": "blockdev-add",\n'
        '     "arguments": { "driver": "qcow2", "node-name": "n0",\n'
        '                    "size": 1.5e3, "read-only": false, "x": null } }\n'
        '<- { "return": {} }\n'
    ),
    "elisions": (
        '-> { "execute": "query-commands" }\n'
        '<- { "return": [\n'
        '       { "name": "stop" },\n'
        "       ...\n"
        "     ]\n"
        "   }\n"
        "... more events omitted ...\n"
        '<- { "event": "STOP", "data": { ... some data ... } }\n'
    ),
    "narration": (
        "First, ask for the status:\n"
        "\n"
        '-> { "execute": "query-status" }\n'
        '<- { "return": { "running": true, "status": "running" } }\n'
        "Then stop it.\n"
    ),
    "elided-message": ("-> ... text sent by the client ...\n<- ... text sent by the server ...\n"),
    "indented-no-final-newline": '   -> { "execute": "stop" }\n   <- {"return":{}}',
    "malformed": '-> { "execute": "x", "arguments": { "unterminated\n<- }} ]] @@ \\\n',
    "windows-newlines": '-> { "execute": "stop" }\r\n<- { "return": {} }\r\n',
    "empty": "",
}


def tokens(text: str) -> list[tuple[int, object, str]]:
    return list(QMPLexer().get_tokens_unprocessed(text))


@pytest.mark.parametrize("name", sorted(TRANSCRIPTS))
def test_round_trips_exactly(name: str) -> None:
    text = TRANSCRIPTS[name]
    found = tokens(text)
    assert "".join(value for _pos, _tok, value in found) == text
    position = 0
    for pos, _tok, value in found:
        assert pos == position
        position += len(value)


@pytest.mark.parametrize("name", sorted(TRANSCRIPTS))
def test_never_emits_error_tokens(name: str) -> None:
    assert all(tok not in Error for _pos, tok, _value in tokens(TRANSCRIPTS[name]))


def test_direction_markers_are_distinct_token_types() -> None:
    found = tokens(TRANSCRIPTS["one-line"])
    markers = [(tok, value) for _pos, tok, value in found if value in ("->", "<-")]
    assert markers == [(CLIENT, "->"), (SERVER, "<-")]
    assert CLIENT != SERVER
    assert CLIENT in Token.Generic.Prompt
    assert SERVER in Token.Generic.Prompt


def test_json_is_tokenized_keys_and_values_apart() -> None:
    found = [(tok, value) for _pos, tok, value in tokens(TRANSCRIPTS["one-line"])]
    assert (Name.Tag, '"execute"') in found
    assert (String.Double, '"query-block"') in found
    # brackets and separators are plain text: no style needs them, and each
    # would be a <span class="p"> in the page
    assert (Text, "{") in found
    assert not [value for tok, value in found if tok in Punctuation]


def test_elisions_are_comments_not_errors() -> None:
    found = [(tok, value) for _pos, tok, value in tokens(TRANSCRIPTS["elisions"])]
    elided = [value for tok, value in found if tok == ELISION]
    assert elided == ["...", "... more events omitted ...", "... some data ..."]


def test_json_continues_over_lines_until_brackets_close() -> None:
    found = tokens(TRANSCRIPTS["multi-line"])
    assert (Name.Tag, '"read-only"') in [(tok, value) for _p, tok, value in found]
    narration = tokens(TRANSCRIPTS["narration"])
    texts = [value for _p, tok, value in narration
             if tok is Token.Text and value.strip() not in ("", ",", ":", "{", "}", "[", "]")]
    assert texts == ["First, ask for the status:", "Then stop it."]


def test_registered_with_pygments_and_formats() -> None:
    try:
        lexer = get_lexer_by_name("qmp")
    except ClassNotFound:  # the entry point exists only once the package is installed
        lexer = QMPLexer()
    html = highlight(TRANSCRIPTS["elisions"], lexer, HtmlFormatter())
    assert "query-commands" in html
    assert 'class="err"' not in html


ALPHABET = st.sampled_from([*'-><.{}[]":, \\tn0e1\n\r\tx?', "é"])


@given(st.text(alphabet=ALPHABET) | st.text())
@settings(max_examples=300, deadline=None)
def test_any_text_round_trips_without_errors(text: str) -> None:
    found = tokens(text)
    assert "".join(value for _pos, _tok, value in found) == text
    assert all(tok not in Error for _pos, tok, _value in found)
