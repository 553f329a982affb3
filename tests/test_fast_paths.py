"""Fast paths taken for speed find exactly what the plain forms find."""

from __future__ import annotations

import difflib
import os
import random
import re
from pathlib import Path

import pytest

from qapidoc.core import allowlist
from qapidoc.core.source import SourceFile
from qapidoc.schema import reader


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


def _scan_by_line(src: SourceFile) -> list[reader.Token]:
    """The scanner as it was: each wanted line tokenized on its own."""
    wanted = re.compile(r"^[^\S\n]*(?:##|[^#\s])[^\n]*", re.M)
    tokens: list[reader.Token] = []
    line, prev = 1, 0
    for lm in wanted.finditer(src.text):
        line += src.text.count("\n", prev, lm.start())
        prev = lm.start()
        body = lm.group()
        stripped = body.lstrip()
        if stripped[0] == "#":
            tokens.append(("##", stripped, line, len(body) - len(stripped) + 1))
            continue
        one = SourceFile("line", body)
        tokens.extend((kind, value, line, col)
                      for kind, value, _, col in reader.scan(one)[:-1])
    tokens.append(reader.scan(src)[-1])
    return tokens


def test_whole_file_scan_agrees_with_a_scan_line_by_line() -> None:
    pieces = ["#", "##", " ", "\t", "\n", "\n\n", "x", "'", "'a'", "\\", "{", "}", ":",
              ",", "true", "\x0b", "\f", "\u2028", "\u00e9", "# c", "## d", "[", "\u00a0"]
    rng = random.Random(11)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        src = SourceFile("x.json", text)
        assert reader.scan(src) == _scan_by_line(src), repr(text)


def _random_lines(pieces: list[str], seed: int, count: int = 20000) -> list[list[str]]:
    rng = random.Random(seed)
    return [["".join(rng.choice(pieces) for _ in range(rng.randint(0, 4)))
             for _ in range(rng.randint(0, 5))] for _ in range(count)]


def test_text_problem_is_the_problem_of_its_lines() -> None:
    pieces = [" ", "    ", " " * 9, "\t", "\x0b", "\xa0", "\u2003", "-", "- ", "* ", "+ ",
              "\u2022 ", "(", ")", ".", "#", "1. ", "12", "\u0663", "a", "a) ", "iv. ", "x",
              "T", "he", "\u00e9", "", "x" * 300]
    rng = random.Random(31)
    found = 0
    for lines in _random_lines(pieces, 31):
        text = "\n".join(lines)
        assert allowlist.text_problem(text) == allowlist.parse_problem(lines), lines
    for _ in range(3000):  # deep enough to be a problem, or nearly
        levels = rng.randint(0, 40)
        lines = [" " * rng.choice((i, 2 * i)) + "- " * rng.randint(0, 12) + "x"
                 for i in range(levels)]
        text = "\n".join(lines)
        expected = allowlist.parse_problem(lines)
        found += expected is not None
        assert allowlist.text_problem(text) == expected, lines
    assert found > 100


def test_bullets_as_alternatives_match_as_the_character_class() -> None:
    in_class = {
        allowlist._MARKER: re.compile(allowlist._MARKER.pattern.replace(
            r"[-*+]|\u2022|\u2023|\u2043|", r"[-*+\u2022\u2023\u2043]|")),
        allowlist._MARKER_STARTS: re.compile(allowlist._MARKER_STARTS.pattern.replace(
            r"[-*+(#ivxlcdmIVXLCDM\d]|\u2022|\u2023|\u2043|",
            r"[-*+\u2022\u2023\u2043(#ivxlcdmIVXLCDM\d]|")),
    }
    for ours, plain in in_class.items():
        assert ours.pattern != plain.pattern
        for text in _texts("-*+\u2022\u2023\u2043\u2024(). #1\u0663aivx \t\n\u00e9", 20000, 10):
            assert [m.span() for m in ours.finditer(text)] == [
                m.span() for m in plain.finditer(text)], repr(text)


def test_since_candidates_are_the_lines_the_line_pattern_matches() -> None:
    from qapidoc.lint import versions

    line_start = re.compile("^" + versions._MALFORMED_ANYWHERE.pattern[2:], re.M)
    pieces = ["Since", "since", ":", " ", "9.1", ".0", ".", "x", ""]
    for lines in _random_lines(pieces, 11):
        joined = "\n" + "\n".join(lines)
        found = [joined.count("\n", 0, m.start())
                 for m in versions._MALFORMED_ANYWHERE.finditer(joined)]
        per_line = [i for i, text in enumerate(lines)
                    if versions._MALFORMED.match(text)]
        assert set(per_line) <= set(found), lines
        assert bool(found) == bool(line_start.search(joined[1:])), lines


def test_list_item_search_agrees_with_the_multiline_pattern() -> None:
    from qapidoc.lint import markup

    plain = re.compile(r"^ *(?:[-*+]|\d+\.|#\.) +\S", re.M)
    for lines in _random_lines([" ", "-", "*", "1.", "#.", "x", "@a:", ""], 12):
        text = "\n".join(lines)
        assert (markup._ITEM_ANYWHERE.search("\n" + text) is None) == (
            plain.search(text) is None), lines


def test_example_message_depth_is_the_sum_over_its_lines() -> None:
    from qapidoc.lint import examples

    tokens = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]]')  # strings and brackets
    pieces = ['"', "{", "}", "[", "]", '\\"', "a", " ", "\\"]
    for lines in _random_lines(pieces, 13, 5000):
        msg = examples.Message(True, "", [])
        depth = 0
        for n, text in enumerate(lines):
            msg.add(text, n, 0)
            for m in tokens.finditer(text):
                t = m.group(0)
                depth += 1 if t in "{[" else -1 if t in "}]" else 0
            assert msg.depth == depth, lines


def test_definition_hints_agree_with_near_names() -> None:
    from types import SimpleNamespace

    from qapidoc.schema import references

    rng = random.Random(14)
    parts = ["block", "Dev", "s", "es", "_", "-", "node", "Name", "x"]
    names = sorted({"".join(rng.choice(parts) for _ in range(rng.randint(1, 4)))
                    for _ in range(300)})
    defs = [SimpleNamespace(name=n, module=None if i % 7 == 0 else "m.json")
            for i, n in enumerate(names)]
    refs = references.References(SimpleNamespace(definitions=defs))  # type: ignore[arg-type]
    documented = [d.name for d in defs if d.module]
    for _ in range(3000):
        name = "".join(rng.choice(parts) for _ in range(rng.randint(1, 5)))
        assert refs._near_definitions(name) == references.near_names(
            name, documented, parts=False), name
        assert sorted(references._close(name, references._by_length(documented))) == sorted(
            difflib.get_close_matches(name, documented, n=3, cutoff=0.85)), name


def test_example_messages_read_by_json_as_by_the_transcript_parser() -> None:
    from qapidoc.lint import examples

    def bare(value: object) -> object:
        if isinstance(value, examples.JObject):
            return ("{", value.elided, {k: bare(v) for k, (v, _) in value.members.items()})
        if isinstance(value, examples.JArray):
            return ("[", value.elided, [bare(v) for v, _ in value.items])
        return (type(value).__name__, value)

    pieces = ['{', '}', '[', ']', ':', ',', '"a"', '"b"', '""', '1', '-2.5e3', '01',
              'true', 'null', 'NaN', ' ', '\n', '\t', '"\t"', '...', '"\\n"', 'x']
    rng = random.Random(15)
    quick = 0
    for _ in range(30000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))
        value = examples._quick_value(text)
        if value is examples._NOT_QUICK:
            continue
        quick += 1
        parser = examples._Parser(text)
        expected = parser.value()
        assert parser.at_end(), text
        assert bare(value) == bare(expected), text
    assert quick > 1000


def test_nesting_depth_agrees_with_a_marker_match_on_every_line() -> None:
    def plain(lines: list[str]) -> tuple[int, int]:
        stack: list[int] = []
        deepest, where = 0, 0
        for i, line in enumerate(lines):
            text = line.expandtabs(8)
            stripped = text.lstrip()
            if not stripped:
                continue
            indent = len(text) - len(stripped)
            while stack and stack[-1] > indent:
                stack.pop()
            if not stack or stack[-1] < indent:
                stack.append(indent)
            depth, pos = len(stack), 0
            while (m := allowlist._MARKER.match(stripped, pos)) is not None and m.end() > pos:
                depth += 1
                pos = m.end()
            if depth > deepest:
                deepest, where = depth, i
        return deepest, where

    pieces = [" ", "  ", "\t", "-", "*", "+", "\u2022", "(", ")", ".", "#", "1", "12",
              "\u0663", "a", "b", "iv", "x", "T", "he", "é", ""]
    for lines in _random_lines(pieces, 16):
        assert allowlist.nesting_depth(lines) == plain(lines), lines


def test_text_rules_skip_a_comment_only_when_no_line_could_match() -> None:
    from qapidoc.core.source import Location
    from qapidoc.schema import docs

    where = Location(SourceFile("x.json", "\n" * 10), 1, 1)
    # No literal blocks, list markers, "e.g." or URLs: every hit is a finding.
    pieces = [".", " ", "A", "a", "(", "!", "x" * 30, ""]
    for lines in _random_lines(pieces, 17, 5000):
        hit = any(len(t) > docs.LINE_LIMIT - 2 or docs._SINGLE_SPACE.search(t)
                  for t in lines)
        assert bool(docs.text_findings(where, list(enumerate(lines, 2)))) == hit, lines


def test_c_name_agrees_with_the_substitution() -> None:
    from qapidoc.schema import expressions

    pieces = ["a", "Z", "0", "_", "-", ".", "+", "é", "\u0663", " ", "", "q", "u", "has"]
    rng = random.Random(18)
    for _ in range(20000):
        name = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        assert expressions.c_name(name) == expressions._C_NAME.sub("_", name), name
        full = expressions._C_NAME.sub("_", name)
        # the guards before c_name in the checks of names
        assert (name[:1] == "q" and expressions.c_name(name).startswith("q_")) == (
            full.startswith("q_")), name
        assert (name == "u" or (name.startswith("has") and expressions.c_name(
            name).startswith("has_"))) == (full == "u" or full.startswith("has_")), name


def test_a_doc_of_tags_only_has_no_references() -> None:
    from qapidoc.core.config import Config
    from qapidoc.lint.documentation import _tags_only
    from qapidoc.lint.engine import LintContext
    from qapidoc.schema.builder import load_schema
    from qapidoc.schema.references import doc_references

    rng = random.Random(19)
    lines = ["@a: one", "@b: two @a", "text", "see @a", "@c:", "    more", "", "x@y",
             "@d text", "Since: 9.0", "Features:", "@unstable: yes"]
    parts = []
    for i in range(400):
        body = [rng.choice(lines) for _ in range(rng.randint(0, 5))]
        head = [f"@Cmd{i}:"] if rng.random() < 0.9 else [f"@Cmd{i}"]
        blank = [""] if rng.random() < 0.1 else []
        doc = "##\n" + "\n".join("# " + t if t else "#" for t in head + blank + body)
        parts.append(doc + f"\n##\n{{ 'command': 'Cmd{i}', 'data': {{ 'a': 'int' }} }}\n")
    schema = load_schema("t.json", "".join(parts))
    ctx = LintContext(schema, Config())
    skipped = 0
    for _, doc in ctx.documented:
        if _tags_only(ctx, doc):
            skipped += 1
            assert not list(doc_references(doc, set())), doc.lines
    assert skipped > 20


def test_possessive_token_pattern_agrees_with_the_backtracking_one() -> None:
    plain = re.compile(reader._TOKEN.pattern.replace("*+", "*").replace("++", "+")
                       .replace("?+", "?"), re.VERBOSE)
    assert plain.pattern != reader._TOKEN.pattern
    pieces = ["{", "}", "[", "]", ":", ",", "'a'", "'", "\\", "\n", " ", "\t", "#", "##",
              "# x", "true", "fals", "x", "\u00e9", "\r", ""]
    lead = re.compile(reader._LEADING.pattern.replace("*+", "*").replace("?+", "?"))
    rng = random.Random(21)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        ours = [(m.span(), m.lastindex) for m in reader._TOKEN.finditer(text)]
        assert ours == [(m.span(), m.lastindex) for m in plain.finditer(text)], repr(text)
        ours_lead, plain_lead = reader._LEADING.match(text), lead.match(text)
        assert ours_lead is not None and plain_lead is not None
        assert ours_lead.span() == plain_lead.span(), repr(text)


def test_patterns_split_by_first_character_find_what_the_class_finds() -> None:
    from qapidoc.lint import markup
    from qapidoc.schema import docs

    pieces = [".", "!", "?", " ", "A", "a", "0", "(", '"', "'", ")", "]", "`", "@", "\n", "x"]
    rng = random.Random(20)
    for _ in range(40000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert docs.search_any(text, docs._SINGLE_SPACE_BY_MARK) == bool(
            docs._SINGLE_SPACE.search(text)), repr(text)
        assert docs.search_any(text, markup._CANDIDATE_BY_MARK) == bool(
            markup._CANDIDATE.search(text)), repr(text)


def test_trailing_white_space_test_agrees_with_the_lines() -> None:
    from qapidoc.core.source import SourceFile
    from qapidoc.lint import markup

    rng = random.Random(22)
    for _ in range(20000):
        text = "".join(rng.choice(" \t\r\nx") for _ in range(rng.randint(0, 8)))
        f = SourceFile("x.json", text)
        plain = any(line.rstrip("\r") != line.rstrip("\r").rstrip(" \t") for line in f.lines)
        assert markup._trailing_anywhere(f.text) == plain, repr(text)


def test_every_sentence_note_holds_its_hint() -> None:
    from qapidoc.schema import since

    pieces = ["Since", "since", "ince", ":", " ", "\t", "9.1", ".0", ".", "\n", "x", ")", "("]
    rng = random.Random(24)
    for _ in range(30000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        if since._SENTENCE.search(text):
            assert since._SENTENCE_HINT.search(text), repr(text)


def test_long_lines_are_found_by_the_quick_test() -> None:
    lines = ["x" * 10, "y" * (allowlist.MAX_LINE + 1), "z"]
    found = allowlist.parse_problem(lines)
    assert found is not None and found[0] == 1
    assert allowlist.parse_problem(["x" * allowlist.MAX_LINE]) is None
    assert allowlist.parse_problem([]) is None


def test_doc_comment_lines_as_a_plain_walk_reads_them() -> None:
    pieces = ["# text", "#", "", "   ", "  # indented", "# trail  ", "#x", "# a#b", "#\r"]
    rng = random.Random(25)
    for _ in range(3000):
        body = [rng.choice(pieces) for _ in range(rng.randint(0, 6))]
        text = "\n".join(["##", "# @ping:", *body, "##", "{ 'command': 'ping' }", ""])
        read = reader.read_schema("t.json", text)
        docs = [it.doc for f in read.files for it in f.items
                if isinstance(it, reader.TopExpr) and it.doc is not None]
        if any(t.lstrip()[1:2] not in ("", " ") for t in body if t.strip()):
            continue  # "#x": the slow path, which reports it
        assert len(docs) == 1, body
        expected = [(n, t.lstrip()[2:].rstrip())
                    for n, t in enumerate(["# @ping:", *body], 2) if t.strip()]
        assert [tuple(d) for d in docs[0].lines] == expected, body


def test_control_characters_are_found_by_the_byte_test() -> None:
    from qapidoc.core.inputs import _CONTROL, InputError, decode_text

    pieces = ["a", " ", "\n", "\t", "\x0c", "\x00", "\x08", "\x1f", "\x7f", "\x80",
              "\x9f", "\xa0", "\xa9", "\u0100", "\u2028", "\U0001f600"]
    rng = random.Random(41)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        try:
            assert decode_text(text.encode()) == text
            bad = False
        except InputError:
            bad = True
        assert bad == (_CONTROL.search(text) is not None), repr(text)


def test_quick_items_are_what_the_token_parser_reads() -> None:
    pieces = ["{ 'enum': 'E', 'data': [ 'a', 'b' ] }",
              "{ 'struct': 'S', 'data': { 'a': 'int', '*b': { 'type': 'str', 'if': 'X' } } }",
              "{ 'pragma': { 'doc-required': true } }", "{ 'include': 'x.json' }",
              "{ 'a': 'x', 'a': 'y' }", "{ 'a': [ 'x', ], 'b': [] }", "{ 'a': 'x' # c\n}",
              "##\n# @S:\n#\n# doc\n##\n", "##\n#x\n##\n", "## junk\n", "# comment\n",
              "\n", " ", "\t", "'", "'k'", "'k': 'v'", "{", "}", "[", "]", ",", ":", "##",
              "true", "x", "'a\\\\b'", "'\u00e9'"]
    rng = random.Random(47)
    quick = 0
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        src = SourceFile("t.json", text)
        items = reader.quick_items(src)
        if items is None:
            continue
        quick += 1
        parser = reader._FileParser(src)
        assert repr(items) == repr(parser.top_level()), repr(text)
        assert not parser.diags and not parser.broken_names, repr(text)
    assert quick > 1000


def test_real_path_is_realpath(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qapidoc.core.inputs import real_path

    top = str(tmp_path)
    os.makedirs(f"{top}/a/b/c")
    os.makedirs(f"{top}/x")
    open(f"{top}/a/b/c/f.json", "w").close()
    for target, link in [(f"{top}/a/b", "lnk"), ("../x", "a/up"), ("c", "a/b/rel"),
                         ("f.json", "a/b/c/g.json"), ("nowhere", "a/dangling"),
                         ("loop1", "loop2"), ("loop2", "loop1")]:
        os.symlink(target, f"{top}/{link}")
    monkeypatch.chdir(f"{top}/a")
    parts = ["a", "b", "c", "lnk", "up", "rel", "x", "f.json", "g.json", "dangling",
             "..", ".", "", "missing", "loop1"]
    rng = random.Random(19)
    real_dirs: dict[str, str] = {}
    for _ in range(20000):
        path = "/".join(rng.choice(parts) for _ in range(rng.randint(0, 6)))
        if rng.random() < 0.5:
            path = f"{top}/{path}"
        if rng.random() < 0.1:
            real_dirs = {}
        assert real_path(path, real_dirs) == os.path.realpath(path), path
