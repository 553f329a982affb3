"""Link checking of a built HTML site, for the tests (issue 14: 0 broken links).

Every internal ``href`` and ``src`` of every page must name a file of the
site and, with a fragment, an ``id`` on that page; every ``objects.inv``
entry likewise.  External links (a scheme, or ``//host``) are not fetched.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

_ID = re.compile(r"""\s(?:id|name)=["']([^"']*)["']""")
_LINK = re.compile(r"""\s(?:href|src)=["']([^"']*)["']""")
_TAG = re.compile(r"<(?:a|link|script|img|iframe|area|source)\b[^>]*>", re.IGNORECASE)
_EXTERNAL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|//)")


class Site:
    """The files and, per HTML page, the ids of a built site."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
        self._ids: dict[str, set[str]] = {}

    def ids(self, page: str) -> set[str]:
        if page not in self._ids:
            text = (self.root / page).read_text(encoding="utf-8", errors="replace")
            self._ids[page] = {html.unescape(m) for m in _ID.findall(text)}
        return self._ids[page]

    def problem(self, page: str, link: str) -> str | None:
        """Why *link* written on *page* is broken (None: it resolves)."""
        if not link or _EXTERNAL.match(link):
            return None
        parts = urlsplit(link)
        path = unquote(parts.path)
        if path:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
            if link.endswith("/") or target in ("", "."):
                target = posixpath.join(target, "index.html").lstrip("./")
        else:
            target = page
        if target.startswith("../") or target not in self.files:
            return f"no file {target}"
        fragment = unquote(parts.fragment)
        if fragment and target.endswith(".html") and fragment not in self.ids(target):
            return f"no id {fragment!r} in {target}"
        return None


def broken_links(root: Path) -> tuple[int, list[str]]:
    """(number of internal links checked, ``page: link (why)`` for each broken one)."""
    site = Site(root)
    checked = 0
    broken: list[str] = []
    for page in sorted(f for f in site.files if f.endswith(".html")):
        text = (root / page).read_text(encoding="utf-8", errors="replace")
        for tag in _TAG.findall(text):
            for raw in _LINK.findall(tag):
                link = html.unescape(raw)
                if not link or _EXTERNAL.match(link):
                    continue
                checked += 1
                why = site.problem(page, link)
                if why:
                    broken.append(f"{page}: {link} ({why})")
    return checked, broken


def broken_inventory(root: Path) -> tuple[int, list[str]]:
    """(entries checked, each ``objects.inv`` entry whose page or anchor is missing)."""
    from sphinx.util.inventory import InventoryFile

    site = Site(root)
    with open(root / "objects.inv", "rb") as stream:
        inventory = InventoryFile.load(stream, "", posixpath.join)
    checked = 0
    broken: list[str] = []
    for kind, entries in inventory.items():
        for name, item in entries.items():
            uri = getattr(item, "uri", None) or item[2]
            checked += 1
            why = site.problem("objects.inv", uri)
            if why:
                broken.append(f"{kind} {name}: {uri} ({why})")
    return checked, broken
