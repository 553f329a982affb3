"""Configuration: one typed definition, read from files and the command line.

`Config` declares every setting once (type, default, help); the loader reads
``[tool.qapidoc]`` of ``pyproject.toml`` or ``.qapidoc.yaml`` (found by
walking up from the schema), the CLI overrides single fields, and the lint
engine, compat and the Sphinx extension read the result.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping

from qapidoc.core.hints import TYPE_CHECKING
from qapidoc.core.inputs import CONFIG_LIMIT, SMALL_LIMIT, InputError, read_text_file
from qapidoc.core.lazy import lazy
from qapidoc.core.record import field, fields, record, replace
from qapidoc.core.registry import PRESETS, RULES, find_rules, load_all_rules
from qapidoc.core.suggest import did_you_mean

if TYPE_CHECKING:
    from typing import Any

CONFIG_FILES = (".qapidoc.yaml", ".qapidoc.yml", "pyproject.toml")
"""Looked for in each directory from the schema's upwards, in this order."""

SEVERITIES = ("error", "warning", "info")


class ConfigError(Exception):
    """A configuration file or value that cannot be used; names key and file."""


def _help(text: str, key: str = "") -> dict[str, str]:
    return {"help": text, "key": key}


@record(slots=False)
class Config:
    """Every qapidoc setting.  Keys in files are the field names with ``-``
    for ``_``; relative paths are relative to the file that sets them."""

    preset: str = field(default="recommended", metadata=_help(
        "Rule set: qemu (QEMU's own checks) ⊂ recommended ⊂ strict."))
    select: tuple[str, ...] = field(default=(), metadata=_help(
        "Rules to run instead of the preset's: codes, code prefixes or "
        "names (like ruff's select)."))
    extend_select: tuple[str, ...] = field(default=(), metadata=_help(
        "Rules to run in addition to the preset's (or select's): codes, "
        "code prefixes or names."))
    ignore: tuple[str, ...] = field(default=(), metadata=_help(
        "Rules not to run: codes, code prefixes or names."))
    per_file_ignores: dict[str, tuple[str, ...]] = field(
        default_factory=dict, metadata=_help(
            "Glob pattern of schema files → rules not reported in them."))
    severity: dict[str, str] = field(default_factory=dict, metadata=_help(
        "Rule (code, prefix or name) → severity it reports at: error, "
        "warning or info."))
    line_length: int = field(default=70, metadata=_help(
        "Longest documentation line, counting the '# ' prefix."))
    release: str | None = field(default=None, metadata=_help(
        "The release under development, X.Y; newer 'Since' is an error."))
    release_file: str | None = field(default=None, metadata=_help(
        "File holding the version, such as QEMU's VERSION; 10.2.50 means "
        "11.0 is in development."))
    since_note_style: str = field(default="any", metadata=_help(
        "Form of since notes: 'any' accepts '(since X.Y)' and '(Since X.Y)' "
        "(both are QEMU's practice); 'since' or 'Since' requires that word "
        "and --fix converts the other form."))
    stable_x_names: tuple[str, ...] = field(default=(), metadata=_help(
        "Names starting with 'x-' that are stable by decision, not "
        "experimental (QD501 leaves them alone)."))
    roots: tuple[str, ...] = field(default=(), metadata=_help(
        "Root schema file(s), linted as a whole by the pre-commit hook."))
    include_root: str | None = field(default=None, metadata=_help(
        "Directory that included schema files must stay inside; default: "
        "the project holding the root schema (its checkout, or the "
        "directory of its .qapidoc.yaml or pyproject.toml)."))
    against: str | None = field(default=None, metadata=_help(
        "The previous release's root schema (a path or git:REF:PATH) that "
        "version notes are checked against; 'auto': the root schema at the "
        "git tag of the last release before the one under development."))
    history: dict[str, str] = field(default_factory=dict, metadata=_help(
        "Release X.Y → that release's root schema (a path or git:REF:PATH); "
        "'Since' tags and since notes must name the first release whose "
        "wire protocol has the item."))
    compat: dict[str, str] = field(default_factory=dict, metadata=_help(
        "Compatibility change kind → severity (error, warning or info); "
        "its sub-table ``accept`` maps wire paths whose change is accepted "
        "to the reason (the change is then info)."))
    compat_accept: dict[str, str] = field(default_factory=dict, metadata=_help(
        "Accepted compatibility changes: wire path → reason (read from "
        "``compat.accept``).", key="-"))
    source: str | None = field(default=None, compare=False, metadata=_help(
        "The file this configuration was read from (not a setting).",
        key="-"))

    def with_overrides(self, **changes: Any) -> Config:
        """A copy with the non-None `changes` applied (command line)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def development_release(self) -> str | None:
        """The release under development: `release`, else read from
        `release_file`.  Raises ConfigError for an unreadable file."""
        if self.release:
            return self.release
        if not self.release_file:
            return None
        try:
            text = read_text_file(self.release_file, SMALL_LIMIT)
        except InputError as e:
            raise ConfigError(f"{self.source or 'configuration'}: release-file: "
                              f"cannot read {clip(self.release_file)}: {e}") from None
        version = release_from_version(text.strip())
        if version is None:
            # The file may be anything (a patch names it): never echo it.
            raise ConfigError(f"{clip(self.release_file)}: not a version number "
                              "(expected X.Y or X.Y.Z at the start, as in QEMU's "
                              "VERSION)")
        return version


_VERSION = lazy(r"(\d+)\.(\d+)(?:\.(\d+))?")


VERSION_FILE = "VERSION"


def find_version_file(schema: str) -> tuple[str, str] | None:
    """The release under development from a ``VERSION`` file next to the
    root schema or in a directory above it (QEMU keeps one at the top of
    its tree), not looking past a repository's top (``.git``): (release,
    path), or None when there is no such file holding a version."""
    here = os.path.dirname(os.path.abspath(schema))
    while True:
        candidate = os.path.join(here, VERSION_FILE)
        if os.path.isfile(candidate):
            try:
                first = read_text_file(candidate, SMALL_LIMIT).strip().split("\n")[0]
            except InputError:
                first = ""
            if re.fullmatch(r"\d+\.\d+(?:\.\d+)?", first):
                version = release_from_version(first)
                if version is not None:
                    return version, candidate
        parent = os.path.dirname(here)
        if parent == here or os.path.exists(os.path.join(here, ".git")):
            return None
        here = parent


RELEASE_NAME = lazy(r"(?:qemu-)?v?(\d+\.\d+(?:\.\d+)?)")
"""A directory or git ref named for a release: ``10.1.0``, ``v10.1.0``,
``qemu-10.1.0`` (QEMU's tags and tarballs)."""


def release_in_names(names: list[str]) -> str | None:
    """The release the first of *names* (directories, innermost first, or
    a git ref) named for one names, as written (``10.1.0``)."""
    for name in names:
        match = RELEASE_NAME.fullmatch(name)
        if match:
            return match.group(1)
    return None


def release_of_directory(path: str) -> str | None:
    """The release (``10.1``) that the directories holding *path* name: a
    tarball's or a corpus's schemas, which have no VERSION file."""
    found = release_in_names(os.path.dirname(os.path.abspath(path)).split(os.sep)[::-1])
    return release_from_version(found) if found else None


def next_release(major: int, minor: int) -> tuple[int, int]:
    """QEMU's release after `major.minor`: 2.12→3.0, 3.1→4.0, X.2→X+1.0
    from 4.0 on, otherwise the next minor."""
    if (major == 2 and minor >= 12) or (major == 3 and minor >= 1) or (
            major >= 4 and minor >= 2):
        return major + 1, 0
    return major, minor + 1


def in_window(claimed: tuple[int, ...], after: tuple[int, ...] | None,
              release: tuple[int, ...]) -> bool:
    """Whether `claimed` may be the release something new in `release`
    came with, given the release before it is `after` (None: unknown):
    with 3.0 then 5.2 (4.0, 4.1… skipped), anything from 4.0 to 5.2."""
    return claimed == release or (after is not None and after < claimed <= release)


def skips_releases(after: tuple[int, ...], release: tuple[int, ...]) -> bool:
    """Whether QEMU released something between `after` and `release`."""
    return after < release and next_release(after[0], after[1]) != release[:2]


def release_from_version(text: str) -> str | None:
    """``10.2.50`` (a development tree) → ``11.0``; ``10.1.0`` → ``10.1``."""
    m = _VERSION.match(text)
    if m is None:
        return None
    major, minor = int(m.group(1)), int(m.group(2))
    if m.group(3) and int(m.group(3)) >= 50:
        major, minor = next_release(major, minor)
    return f"{major}.{minor}"


# --------------------------------------------------------------------------
# Validation: one converter per field type


def clip(text: str, limit: int = 60) -> str:
    """`text` cut to `limit` characters for a message; config values and
    keys are the user's, and may be huge."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _show(value: object) -> str:
    """A value as a message shows it: its repr, cut short."""
    return clip(repr(value))


def _key(name: str) -> str:
    return name.replace("_", "-")


def _str(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string, got {_kind(value)}")
    return value


def _kind(value: object) -> str:
    return {bool: "a boolean", int: "a number", float: "a number",
            list: "a list", dict: "a table", type(None): "nothing"}.get(
                type(value), type(value).__name__)


def _str_list(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected a list of strings, got "
                          f"{_kind(value)}")
    return tuple(_str(v, where) for v in value)


def _rules(value: object, where: str) -> tuple[str, ...]:
    out = _str_list(value, where)
    for sel in out:
        check_selector(sel, where)
    return out


def check_selector(sel: str, where: str) -> None:
    """Raise ConfigError unless `sel` names at least one rule."""
    _ensure_rules_loaded()
    if not find_rules(sel):
        raise ConfigError(f"{where}: unknown rule '{clip(sel)}'{suggest_rule(sel)}")


def suggest_rule(sel: str) -> str:
    """A did-you-mean hint among rule codes and names."""
    _ensure_rules_loaded()
    return did_you_mean(sel, [*RULES, *(r.name for r in RULES.values())])


def _ensure_rules_loaded() -> None:
    load_all_rules()


def _preset(value: object, where: str) -> str:
    text = _str(value, where)
    if text not in PRESETS:
        raise ConfigError(f"{where}: unknown preset '{clip(text)}'"
                          f"{did_you_mean(text, PRESETS)} (expected "
                          f"{', '.join(PRESETS)})")
    return text


def _severity_text(value: object, where: str) -> str:
    text = _str(value, where).strip().lower()
    if text not in SEVERITIES:
        raise ConfigError(f"{where}: unknown severity {_show(value)}"
                          f"{did_you_mean(text, SEVERITIES)} (expected "
                          "error, warning or info)")
    return text


def _table(value: object, where: str) -> Mapping[object, object]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table, got {_kind(value)}")
    return value


def _per_file(value: object, where: str) -> dict[str, tuple[str, ...]]:
    return {_str(k, where): _rules(v, f"{where}.{_show_key(k)}")
            for k, v in _table(value, where).items()}


def _show_key(key: object) -> str:
    return clip(str(key))


def _severities(value: object, where: str) -> dict[str, str]:
    out = {}
    for k, v in _table(value, where).items():
        check_selector(_str(k, where), where)
        out[str(k)] = _severity_text(v, f"{where}.{_show_key(k)}")
    return out


def _compat(value: object, where: str) -> dict[str, str]:
    return {_str(k, where): _severity_text(v, f"{where}.{_show_key(k)}")
            for k, v in _table(value, where).items()}


def _accept(value: object, where: str) -> dict[str, str]:
    out = {}
    for k, v in _table(value, where).items():
        reason = _str(v, f"{where}.{k}").strip()
        if not reason:
            raise ConfigError(f"{where}.{k}: give the reason the change is accepted")
        out[_str(k, where)] = reason
    return out


def _history(base: str) -> Callable[[object, str], dict[str, str]]:
    """Releases as ``10.1`` or as their tags say, ``10.1.0`` (the release
    10.1, as ``qapidoc history`` reads it)."""
    path = _path(base)

    def release(key: object, where: str) -> str:
        if isinstance(key, str) and _RELEASE_TAG.fullmatch(key):
            key = key.rsplit(".", 1)[0]
        return _release(key, where)

    def convert(value: object, where: str) -> dict[str, str]:
        return {release(k, f"{where}.{_show_key(k)}"): path(v, f"{where}.{_show_key(k)}")
                for k, v in _table(value, where).items()}
    return convert


_RELEASE_TAG = re.compile(r"\d+\.\d+\.(?:[0-4]?\d)")


def _line_length(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 20:
        raise ConfigError(f"{where}: expected a whole number of at least 20, "
                          f"got {_show(value)}")
    return value


def _release(value: object, where: str) -> str:
    if isinstance(value, float):
        raise ConfigError(f"{where}: write the release as a string such as "
                          f"'10.1' (as a number, 10.10 would read as 10.1)")
    text = _str(value, where)
    if not re.fullmatch(r"\d+\.\d+", text):
        raise ConfigError(f"{where}: expected a release such as 10.1, got "
                          f"{_show(value)}")
    return text


def _development_release(value: object, where: str) -> str:
    """The release under development, also as QEMU's VERSION and tags write
    it: ``10.1.0`` is 10.1, ``10.1.50`` (a tree after 10.1) develops 10.2."""
    if isinstance(value, str) and re.fullmatch(r"\d+\.\d+\.\d+", value):
        found = release_from_version(value)
        if found is not None:
            return found
    return _release(value, where)


SINCE_STYLES = ("any", "since", "Since")


def _since_style(value: object, where: str) -> str:
    text = _str(value, where)
    if text not in SINCE_STYLES:
        raise ConfigError(f"{where}: expected one of {', '.join(SINCE_STYLES)}, "
                          f"got {value!r}{did_you_mean(text, SINCE_STYLES)}")
    return text


def _path(base: str) -> Callable[[object, str], str]:
    def convert(value: object, where: str) -> str:
        text = _str(value, where)
        if text.startswith("git:") or os.path.isabs(text):
            return text
        return os.path.normpath(os.path.join(base, text))
    return convert


def _against_path(base: str) -> Callable[[object, str], str]:
    one = _path(base)

    def convert(value: object, where: str) -> str:
        return "auto" if value == "auto" else one(value, where)
    return convert


def _paths(base: str) -> Callable[[object, str], tuple[str, ...]]:
    one = _path(base)

    def convert(value: object, where: str) -> tuple[str, ...]:
        return tuple(one(v, where) for v in _str_list(value, where))
    return convert


def _converters(base: str) -> dict[str, Callable[[object, str], Any]]:
    return {
        "preset": _preset,
        "select": _rules,
        "extend_select": _rules,
        "ignore": _rules,
        "per_file_ignores": _per_file,
        "severity": _severities,
        "line_length": _line_length,
        "release": _development_release,
        "release_file": _path(base),
        "since_note_style": _since_style,
        "stable_x_names": _str_list,
        "roots": _paths(base),
        "include_root": _path(base),
        "against": _against_path(base),
        "history": _history(base),
        "compat": _compat,
    }


def check_value(name: str, value: object, where: str) -> Any:
    """Validate one setting given on the command line (`where` names the
    option); relative paths are relative to the working directory."""
    return _converters(os.getcwd())[name](value, where)


def config_from_mapping(data: object, source: str) -> Config:
    """Validate a ``[tool.qapidoc]`` table / YAML mapping into a Config."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the qapidoc configuration must be a "
                          f"table, got {_kind(data)}")
    base = os.path.dirname(os.path.abspath(source))
    convert = _converters(base)
    by_key = {_key(f.name): f.name for f in fields(Config)
              if f.metadata.get("key") != "-"}
    values: dict[str, Any] = {}
    for key, value in data.items():
        name = by_key.get(str(key))
        if name is None:
            hint = did_you_mean(str(key).replace("_", "-"), by_key)
            raise ConfigError(f"{source}: unknown key '{_show_key(key)}'{hint} (known: "
                              f"{', '.join(sorted(by_key))})")
        if name == "compat" and isinstance(value, dict) and "accept" in value:
            value = dict(value)
            values["compat_accept"] = _accept(value.pop("accept"),
                                              f"{source}: compat.accept")
        values[name] = convert[name](value, f"{source}: {key}")
    return Config(source=source, **values)


def load_config(path: str) -> Config:
    """Read one configuration file: ``pyproject.toml`` (its
    ``[tool.qapidoc]`` table) or a YAML file."""
    try:
        text = read_text_file(path, CONFIG_LIMIT)
    except InputError as e:
        raise ConfigError(f"{path}: cannot read: {e}") from None
    try:
        if path.endswith(".toml"):
            import tomllib

            try:
                doc = tomllib.loads(text)
            except tomllib.TOMLDecodeError as e:
                raise ConfigError(f"{path}: not valid TOML: {e}") from None
            tool = doc.get("tool", {})
            return config_from_mapping(
                tool.get("qapidoc", {}) if isinstance(tool, dict) else {}, path)
        data = _load_yaml(text, path)
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply") from None
    return config_from_mapping(data, path)


def _load_yaml(text: str, path: str) -> object:
    """Plain YAML data; an alias (``*name``) is an error, so that a few
    lines cannot expand to gigabytes (a "billion laughs")."""
    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed in qapidoc "
                    "configuration; write the value out", event.start_mark)
            return super().compose_node(parent, index)

    try:
        return yaml.load(text, Loader=Loader)
    except yaml.YAMLError as e:
        raise ConfigError(yaml_message(path, e)) from None


def yaml_message(path: str, error: Exception) -> str:
    """``path:line:col: not valid YAML: problem`` — named after the file,
    not PyYAML's ``<unicode string>``."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).split("\n")[0]
    context = getattr(error, "context", None)
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else path
    return f"{where}: not valid YAML: {problem}" + (f" ({context})" if context else "")


def _has_qapidoc_table(path: str) -> bool:
    """Whether a pyproject.toml configures qapidoc, in any TOML spelling
    of the table (parsed only when the word is there at all); one that is
    not valid TOML does if it names qapidoc, so that its error is shown."""
    try:
        text = read_text_file(path, CONFIG_LIMIT)
    except InputError:
        return False
    if "qapidoc" not in text:
        return False
    import tomllib

    try:
        tool = tomllib.loads(text).get("tool")
    except (tomllib.TOMLDecodeError, RecursionError):
        return True
    return isinstance(tool, dict) and "qapidoc" in tool


def config_file_for(start: str) -> str | None:
    """The configuration file governing `start` (a file or directory)."""
    here = os.path.abspath(start)
    if not os.path.isdir(here):
        here = os.path.dirname(here)
    while True:
        for name in CONFIG_FILES:
            candidate = os.path.join(here, name)
            if os.path.isfile(candidate) and (
                    name != "pyproject.toml" or _has_qapidoc_table(candidate)):
                return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def find_config(start: str) -> Config:
    """The configuration for a schema at `start`: the nearest file walking
    up, or the defaults when there is none."""
    path = config_file_for(start)
    return load_config(path) if path else Config()


def describe_fields() -> list[tuple[str, str, str, str]]:
    """(key, type, default, help) of every setting, for docs and --help."""
    out = []
    for f in fields(Config):
        if f.metadata.get("key") == "-":
            continue
        default: object = (f.default_factory() if callable(f.default_factory)
                           else f.default)
        out.append((_key(f.name), str(f.type), repr(default), f.metadata["help"]))
    return out
