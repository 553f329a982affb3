"""``qapidoc build``: a complete HTML site for a schema, no Sphinx project needed.

In: a root schema file.  Out: a static site in DIR (``DIR/index.html``): an
index page with the schema's introduction, one page per module, the QAPI
index, changes by version and search.  Writes a throwaway Sphinx project
(``conf.py`` plus pages using ``.. qapi-doc::``) and runs Sphinx in-process.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from qapidoc.cli.app import EXIT_FINDINGS, EXIT_OK, EXIT_STATUS, EXIT_USAGE, UsageError
from qapidoc.cli.options import add_config_options, one_line, read_config, unreadable
from qapidoc.core.outputs import (
    NAMESPACE_NAME,
    Manifest,
    OutputError,
    claim_directory,
    free_name,
    install_tree,
    page_safe,
    staging_directory,
)
from qapidoc.core.registry import PRESETS, is_legacy

if TYPE_CHECKING:
    from qapidoc.core.source import Diagnostic
    from qapidoc.schema.model import DocComment, Module, Schema

THEMES: dict[str, str] = {
    "alabaster": "",  # ships with Sphinx
    "furo": "furo",
    "sphinx_rtd_theme": "sphinx_rtd_theme",
}
"""Theme name → the Python package that provides it ("" when Sphinx does)."""

DEFAULT_THEME = "furo"
"""Furo (a dependency): a title that fits its sidebar, a list of the page's
definitions beside it, and badges and member lists that hold (the browser
tests check all three themes)."""

SITE_MARKER = ".qapidoc-site"
"""In an output directory qapidoc build made: it may write there again."""

PROJECT_MARKER = ".qapidoc-project"
"""In a ``--project-dir``: what qapidoc wrote there (`Manifest`)."""

RESERVED_PAGES = frozenset({"index", "genindex", "search", "qapi-index", "changes"})
"""Page names the site uses itself; a module with such a name gets a suffix."""

EPILOG = f"""\
--lint reads the same configuration as 'qapidoc lint' (--config, --no-config
or the nearest file above the schema); a broken one stops the build.
Warnings of the schema loader and of Sphinx go to stderr; the last line on
stdout names the page to open.

{EXIT_STATUS}  For build: 1 means the schema has errors that leave its
definitions incomplete (printed as path:line:col: severity[CODE] message;
nothing is built; forms of older QEMU releases and documentation errors do
not count), doc text used markup outside the allow-list (dropped with a
qapidoc.unsafe warning; the site is written without it) or, with -W, Sphinx
warned; 2 also covers an unwritable output directory, a missing theme or a
failed Sphinx run.
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "build", help="build an HTML documentation site for a schema",
        description="Build a complete static HTML site (an index page, a "
        "page per module, the QAPI index, changes by version and search) "
        "for SCHEMA, without writing a Sphinx project.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("schema", metavar="SCHEMA", help="the root schema file")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="directory the site is written to: a new or empty one, "
                   "or one qapidoc build wrote before")
    p.add_argument("--force", action="store_true",
                   help="also write into a non-empty DIR (or --project-dir) "
                   "that qapidoc did not write; files of the site replace "
                   "files of the same name, a project's files never do")
    p.add_argument("--title", metavar="T", type=one_line,
                   help="site title (default: the schema's first heading, "
                   "else the file name)")
    p.add_argument("--namespace", metavar="NS", default="", type=_namespace,
                   help="QAPI namespace of the documented definitions, as "
                   "in cross-references NS:Name; the site gets its index "
                   "page, qapi-<ns>-index (default: none)")
    p.add_argument("--theme", choices=tuple(THEMES), default=DEFAULT_THEME,
                   help=f"HTML theme (default: {DEFAULT_THEME}, installed with "
                   "qapidoc; sphinx_rtd_theme must be installed)")
    p.add_argument("--project-version", metavar="TEXT", type=one_line,
                   help="version shown with the title (default: the release of "
                   "the configuration, else of a VERSION file above the schema, "
                   "else the newest Since of the schema)")
    layout = p.add_mutually_exclusive_group()
    layout.add_argument("--split", dest="split", action="store_true",
                        default=True,
                        help="one page per schema module (default)")
    layout.add_argument("--single", dest="split", action="store_false",
                        help="the whole schema on one page")
    p.add_argument("-j", "--jobs", type=_jobs, default=1, metavar="N",
                   help="build with N processes ('auto': one per CPU)")
    p.add_argument("--lint", choices=PRESETS, default=None, metavar="PRESET",
                   help="also report lint findings of this preset ("
                   + ", ".join(PRESETS) + ") as warnings while building, "
                   "with the rest of the configuration 'qapidoc lint' uses")
    add_config_options(p)
    p.add_argument("-W", "--fail-on-warning", action="store_true",
                   help="exit 1 if Sphinx printed any warning")
    p.add_argument("--project-dir", metavar="DIR",
                   help="write the generated Sphinx project to DIR and keep "
                   "it, to customise and rebuild with sphinx-build "
                   "(default: a temporary directory)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="print only warnings and errors")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="show Sphinx's progress output")
    p.set_defaults(run=run)


def _namespace(text: str) -> str:
    """A namespace goes into generated directives and every anchor: a name."""
    if text and not NAMESPACE_NAME.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a name (a letter, then letters, digits, '-' or '_')")
    return text


def _jobs(text: str) -> int:
    if text == "auto":
        return os.cpu_count() or 1
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: '{text}'") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


# --------------------------------------------------------------------------
# The generated project: a plain function of the schema and the options


@dataclass(frozen=True)
class SiteOptions:
    """What the generated project depends on besides the schema."""

    title: str | None = None
    namespace: str = ""
    theme: str = DEFAULT_THEME
    version: str | None = None
    """Shown with the title; `site_version` finds the default."""
    split: bool = True
    lint: str | None = None
    lint_config: str | None = None
    """The configuration file lint reads ('' for the defaults)."""


def heading_of(doc: DocComment | None) -> str | None:
    """The first rST section title of a free-form doc comment, if any."""
    if doc is None:
        return None
    from qapidoc.schema.docs import old_heading

    lines = [dl.text.rstrip() for dl in doc.lines]
    first = next((line for line in lines if line.strip()), "")
    legacy = old_heading(first)
    if legacy is not None:
        return legacy[1]
    for i in range(len(lines) - 1):
        title, under = lines[i].strip(), lines[i + 1]
        if title and _is_adornment(under) and len(under) >= len(title) \
                and not _is_adornment(lines[i]):
            return title
    return None


def _is_adornment(line: str) -> bool:
    s = line.strip()
    return len(s) >= 3 and len(set(s)) == 1 and not s[0].isalnum()


def _module_doc(module: Module) -> DocComment | None:
    """The module's introduction: its first item, if that is free-form doc."""
    from qapidoc.schema.model import DocComment

    for item in module.items:
        if isinstance(item, DocComment):
            return item if item.symbol is None else None
        return None
    return None


def page_names(schema: Schema, root: Path) -> dict[str, str]:
    """Module path → page name (``events/monitoring``), index for the root."""
    names: dict[str, str] = {}
    used = {page.casefold() for page in RESERVED_PAGES}
    for i, module in enumerate(schema.modules):
        if i == 0:
            names[module.path] = "index"
            continue
        path = Path(module.path)
        try:
            rel = path.resolve().relative_to(root.resolve())
            rel = rel.with_suffix("") if rel.suffix == ".json" else rel
            name = "/".join(page_safe(part) for part in rel.parts)
        except ValueError:
            name = page_safe(module.name)
        names[module.path] = free_name(name, used)
    return names


def site_title(schema: Schema, schema_path: str, options: SiteOptions) -> str:
    from qapidoc.core.allowlist import safe_title

    if options.title:
        return options.title
    if schema.modules:
        found = safe_title(heading_of(_module_doc(schema.modules[0])) or "")
        if found:
            return found  # schema text: into every page's HTML
    return safe_title(Path(schema_path).stem) or "QAPI schema"


def site_version(schema: Schema, schema_path: str, configured: str | None) -> str | None:
    """The version a site shows: *configured* (the configuration's
    release), else a ``VERSION`` file's as lint reads it (QEMU's 10.1.50:
    10.2, the release under development), else the newest ``Since`` of the
    schema's definitions."""
    from qapidoc.core.config import find_version_file
    from qapidoc.schema.since import release_tuple

    if configured:
        return configured
    found = find_version_file(schema_path)
    if found is not None:
        return found[0]
    releases = (release_tuple((d.since or "").strip()) for d in schema.definitions)
    newest = max((r for r in releases if r is not None), default=())
    return ".".join(map(str, newest)) or None


def _directive(schema_file: str, options: SiteOptions, module: str | None,
               title: bool = False) -> list[str]:
    lines = [f".. qapi-doc:: {schema_file}"]
    if options.namespace:
        lines.append(f"   :namespace: {options.namespace}")
    if module is not None:
        lines.append(f"   :module: {module}")
    if title:
        lines.append("   :title:")  # the module's name when it has no heading
    return lines


def _title_block(title: str, char: str = "=") -> list[str]:
    bar = char * len(title)
    return [bar, title, bar, ""]


def _has_definitions_or_text(module: Module) -> bool:
    from qapidoc.schema.model import Include

    return any(not isinstance(item, Include) for item in module.items)


def project_files(schema: Schema, schema_path: str,
                  options: SiteOptions) -> dict[str, str]:
    """The Sphinx project for `schema`: file name → contents.

    `schema_path` must be absolute; ``conf.py`` makes its directory the base
    of the pages' ``qapi-doc`` paths, so the project holds no absolute path
    but that one."""
    from sphinx_ext.render.rst import module_slug, opens_with_heading

    title = site_title(schema, schema_path, options)
    schema_file = Path(schema_path).name
    names = page_names(schema, Path(schema_path).parent)
    modules = list(schema.modules)
    # a module whose text opens without a heading goes on the page before
    # it, as the one-page layout files it under that section
    groups: list[list[Module]] = []
    for module in modules[1:]:
        if not _has_definitions_or_text(module):
            continue
        if groups and not opens_with_heading(module):
            groups[-1].append(module)
        else:
            groups.append([module])
    pages = [group[0] for group in groups]
    split = options.split and bool(pages)
    files: dict[str, str] = {"conf.py": conf_py(schema_path, title, options)}

    index: list[str] = []
    if heading_of(_module_doc(modules[0]) if modules else None) is None:
        index += _title_block(title)
    root = module_slug(schema, modules[0]) if split and modules else None
    index += _directive(schema_file, options, root)
    index += ["", ".. toctree::", "   :maxdepth: 1", "   :caption: Contents", ""]
    if split:
        index += [f"   {names[m.path]}" for m in pages]
    index += ["   changes", "",
              # The toctree takes only documents: the domain's index is a label.
              ".. rubric:: Indices", "",
              "* :ref:`qapi-index`",
              "* :ref:`genindex`", "* :ref:`search`", ""]
    files["index.rst"] = "\n".join(index)

    if split:
        for group in groups:
            slugs = ", ".join(module_slug(schema, module) for module in group)
            page = _directive(schema_file, options, slugs, title=True)
            files[names[group[0].path] + ".rst"] = "\n".join(page) + "\n"

    files["changes.rst"] = "\n".join(
        _title_block("Changes by version")
        + [f".. qapi-changes:: {schema_file}"]
        + ([f"   :namespace: {options.namespace}"] if options.namespace else [])
    ) + "\n"
    return files


def conf_py(schema_path: str, title: str, options: SiteOptions) -> str:
    """``conf.py`` of the generated project; values are Python literals."""
    shown = f"{title} {options.version}" if options.version else title
    settings: list[tuple[str, object]] = [
        ("project", title),
        ("version", options.version or ""),
        ("release", options.version or ""),
        ("extensions", ["sphinx_ext"]),
        ("root_doc", "index"),
        ("html_theme", options.theme),
        ("html_title", shown),
        ("html_short_title", title),
        ("html_copy_source", False),
        ("html_show_sourcelink", False),
        ("html_show_copyright", False),
        ("qapidoc_srctree", str(Path(schema_path).parent)),
    ]
    if options.namespace:  # its index, qapi-<ns>-index, as QEMU's docs link it
        settings.append(("qapi_namespaces", [options.namespace]))
    if options.lint:
        settings.append(("qapidoc_lint", options.lint))
        settings.append(("qapidoc_lint_config", options.lint_config or ""))
    if options.theme == "alabaster":
        settings.append(("html_theme_options", {"fixed_sidebar": True,
                                                "show_relbars": True}))
        settings.append(("html_sidebars", {"**": [
            "about.html", "navigation.html", "relations.html",
            "searchbox.html"]}))
    out = ['"""Generated by qapidoc build; edit freely (a later build keeps '
           'an edited file)."""', ""]
    out += [f"{name} = {value!r}" for name, value in settings]
    return "\n".join(out) + "\n"


def write_project(files: dict[str, str], directory: Path) -> None:
    """Write a fresh (temporary) project."""
    for name, text in files.items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def update_project(files: dict[str, str], directory: Path) -> list[str]:
    """Write the project into a kept directory (``--project-dir``): files
    qapidoc wrote there before are updated, others (a hand-written or
    edited ``conf.py``) are kept; returns the names kept."""
    manifest = Manifest(directory, PROJECT_MARKER)
    kept = [name for name, text in files.items() if not manifest.write(name, text)]
    manifest.save()
    return kept


# --------------------------------------------------------------------------
# Running it


def _claim(path: str, marker: str, force: bool, what: str) -> Path:
    """The directory at `path`, if qapidoc may write `what` there."""
    try:
        claim_directory(Path(path), marker, force, what)
    except OutputError as e:
        raise UsageError(str(e)) from None
    return Path(path)


def _check_theme(theme: str) -> None:
    import importlib.util

    package = THEMES[theme]
    if package and importlib.util.find_spec(package) is None:
        raise UsageError(f"theme '{theme}' is not installed "
                         f"(pip install {package})")


def _summarise(diagnostics: Sequence[Diagnostic], errors: Sequence[Diagnostic]) -> None:
    """One line each for the findings that do not stop a build: forms of
    older releases, and documentation findings (an old release has
    thousands; ``qapidoc lint`` lists them, ``--lint`` reports them here)."""
    stopping = {id(d) for d in errors}
    legacy = sum(1 for d in diagnostics if is_legacy(d))
    if legacy:
        sys.stderr.write(f"qapidoc build: the schema uses {legacy} form"
                         f"{'s' if legacy != 1 else ''} of older QEMU releases "
                         "(qapidoc lint --select legacy lists them)\n")
    docs = Counter(d.code for d in diagnostics
                   if id(d) not in stopping and not is_legacy(d))
    if docs:
        n = sum(docs.values())
        codes = ", ".join(f"{code} {count}" for code, count in docs.most_common(4))
        more = ", …" if len(docs) > 4 else ""
        sys.stderr.write(f"qapidoc build: {n} documentation finding"
                         f"{'s' if n != 1 else ''} ({codes}{more}); the site "
                         "renders them as written (qapidoc lint lists them)\n")


def run(args: argparse.Namespace) -> int:
    from qapidoc import load_schema
    from qapidoc.core.config import ConfigError
    from qapidoc.core.registry import model_errors
    from qapidoc.core.report import format_text, want_colour
    from qapidoc.core.source import diagnostic_sort_key

    _check_theme(args.theme)
    schema_path = os.path.abspath(args.schema)
    if os.path.isdir(schema_path):
        raise UsageError(f"{args.schema}: is a directory, not a schema file")
    lint, lint_config = args.lint, None
    if lint is not None:
        # Absolute: conf.py may be kept (--project-dir) and built elsewhere.
        source = read_config(args, args.schema).source
        lint_config = os.path.abspath(source) if source else ""
    schema = load_schema(args.schema)
    errors = model_errors(schema.diagnostics)
    if errors:
        sys.stderr.write(format_text(sorted(errors, key=diagnostic_sort_key),
                                     colour=want_colour(sys.stderr),
                                     output_format="concise"))
    _summarise(schema.diagnostics, errors)
    if errors:
        n = len(errors)
        sys.stderr.write(f"qapidoc build: {n} error{'s' if n != 1 else ''} in "
                         f"the schema; nothing built\n")
        return EXIT_USAGE if unreadable(errors) else EXIT_FINDINGS
    out = _claim(args.output, SITE_MARKER, args.force, "the site")
    version = args.project_version
    if version is None:
        try:  # only --lint makes a broken configuration stop the build
            configured = read_config(args, args.schema).development_release()
        except (UsageError, ConfigError):
            configured = None
        version = site_version(schema, schema_path, configured)
    options = SiteOptions(title=args.title, namespace=args.namespace,
                          theme=args.theme, split=args.split, lint=lint,
                          lint_config=lint_config, version=version or None)
    files = project_files(schema, schema_path, options)

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="qapidoc-build-") as tmp:
        project = Path(tmp) / "project"
        if args.project_dir:
            project = _claim(args.project_dir, PROJECT_MARKER, args.force, "the project")
            try:
                kept = update_project(files, project)
            except OSError as e:
                raise UsageError(f"{args.project_dir}: cannot write project: "
                                 f"{e.strerror or e}") from None
            for name in kept:
                sys.stderr.write(f"qapidoc build: kept {project / name}: not written "
                                 "by qapidoc, or edited since\n")
        else:
            write_project(files, project)
        try:
            staging = staging_directory(out)
        except OSError as e:
            raise UsageError(f"{args.output}: cannot write: {e.strerror or e}") from None
        try:
            status = _sphinx(project, staging, Path(tmp) / "doctrees", args)
            if status != EXIT_USAGE:
                install_tree(staging, out)
        except OutputError as e:
            raise UsageError(str(e)) from None
        finally:  # a failed build leaves nothing behind
            shutil.rmtree(staging, ignore_errors=True)
    if status == EXIT_USAGE:
        return status
    if status == EXIT_FINDINGS:
        sys.stderr.write("qapidoc build: unsafe doc text was dropped, or Sphinx "
                         "warned and -W was given; "
                         "the site was written but the build fails\n")
    if not args.quiet:
        elapsed = time.monotonic() - started
        pages = len([f for f in files if f.endswith(".rst")])
        sys.stdout.write(f"Built {pages} pages in {elapsed:.1f}s; open "
                         f"{out / 'index.html'}\n")
    return status


def _sphinx(srcdir: Path, outdir: Path, doctreedir: Path,
            args: argparse.Namespace) -> int:
    """Run the HTML builder; 0, 1 (warnings with -W) or 2 (Sphinx failed)."""
    from sphinx.application import Sphinx
    from sphinx.errors import SphinxError
    from sphinx.util.console import nocolor
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    from qapidoc.core.report import want_colour

    warning: TextIO = sys.stderr
    if not want_colour(warning):  # a terminal, and no NO_COLOR
        nocolor()
    status: TextIO | None = sys.stdout if args.verbose else None
    try:
        with patch_docutils(srcdir), docutils_namespace():
            app = Sphinx(srcdir, srcdir, outdir, doctreedir, "html",
                         status=status, warning=warning, freshenv=True,
                         warningiserror=args.fail_on_warning,
                         parallel=args.jobs, verbosity=0)
            app.build(force_all=True)
    except SphinxError as e:
        sys.stderr.write(f"qapidoc build: Sphinx failed: {e}\n")
        return EXIT_USAGE
    except OSError as e:
        sys.stderr.write(f"qapidoc build: {e.filename or ''}: {e.strerror or e}\n")
        return EXIT_USAGE
    with contextlib.suppress(OSError):  # Sphinx makes it even with html_copy_source off
        (outdir / "_sources").rmdir()
    return EXIT_FINDINGS if app.statuscode else EXIT_OK

