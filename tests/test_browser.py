"""Acceptance: a person's path through the Harbor site, in a real browser.

Builds the site with ``qapidoc build`` as the README does, serves it on
localhost and drives Debian's Chromium headless through Playwright: open a
command, follow a member's type link to another page, search for a command.
Skips where /usr/bin/chromium or the playwright package is missing.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sphinx_ext.domain import definition_anchor

REPO = Path(__file__).resolve().parents[1]
HARBOR = REPO / "schemas" / "harbor" / "harbor-schema.json"
CHROMIUM = Path(os.environ.get("QAPIDOC_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

# A command on one page whose argument's type is defined on another.
COMMAND, MODULE_PAGE = "volume-create", "storage.html"
TYPE, TYPE_PAGE = "Label", "common.html"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Harbor site built by the CLI, served on a free localhost port."""
    site = tmp_path_factory.mktemp("browser") / "_site"
    proc = subprocess.run([sys.executable, "-m", "qapidoc.cli", "build", str(HARBOR),
                           "-o", str(site)], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _screenshot(page: Any, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=False)
    extra = os.environ.get("QAPIDOC_SCREENSHOT_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(extra) / name)
    assert shot.stat().st_size > 1000
    return shot


def test_member_type_link_lands_on_the_type(browser: Any, site_url: str,
                                            tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15000)
    command_id = definition_anchor("", "command", COMMAND)
    type_id = definition_anchor("", "object", TYPE)

    page.goto(f"{site_url}/{MODULE_PAGE}#{command_id}")
    command = page.locator(f"dl:has(> dt[id='{command_id}'])")
    assert command.count() == 1
    assert COMMAND in page.locator(f"dt[id='{command_id}']").inner_text()
    link = command.locator(f"a[href$='#{type_id}']").first
    assert link.inner_text().strip() == TYPE
    link.click()

    page.wait_for_url(f"**/{TYPE_PAGE}#{type_id}")
    assert page.evaluate("location.hash") == f"#{type_id}"
    assert page.evaluate("document.querySelector(':target').id") == type_id
    target = page.locator(f"[id='{type_id}']")
    assert target.is_visible()
    assert TYPE in target.inner_text()
    # Scrolled to: the definition's top is inside the viewport.
    top = page.evaluate(f"document.getElementById('{type_id}').getBoundingClientRect().top")
    assert 0 <= top < 900
    _screenshot(page, tmp_path, "harbor-type-link.png")
    page.close()


def test_search_finds_a_command(browser: Any, site_url: str, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15000)
    page.goto(f"{site_url}/index.html")
    page.fill("input[name='q']", COMMAND)
    page.press("input[name='q']", "Enter")
    page.wait_for_url("**/search.html?q=*")
    page.wait_for_function(  # searchtools.js retitles the results when done
        "document.querySelector('#search-results h2')?.textContent === 'Search Results'")
    hit = page.locator("#search-results li a", has_text=COMMAND).first
    assert hit.is_visible()
    # The definition ranks first, ahead of pages that merely mention it.
    first = page.locator("#search-results li").first.inner_text()
    # named without a namespace prefix, with its kind and page
    assert first.startswith(f"{COMMAND} (command, in Storage)"), first
    assert hit.inner_text().strip() == COMMAND
    # its arguments are not hits of their own: the name contains the query
    hits = page.locator("#search-results li > a").all_inner_texts()
    assert not [h for h in hits if h.startswith(f"{COMMAND}.")], hits
    _screenshot(page, tmp_path, "harbor-search.png")
    hit.click()
    command_id = definition_anchor("", "command", COMMAND)
    page.wait_for_url(f"**/{MODULE_PAGE}*#{command_id}")
    assert page.locator(f"dt[id='{command_id}']").is_visible()
    page.close()


def _search(page: Any, site_url: str, query: str) -> list[tuple[str, str]]:
    page.goto(f"{site_url}/search.html?q={query}")
    page.wait_for_function(
        "document.querySelector('#search-results h2')?.textContent === 'Search Results'")
    return [(item.inner_text(), item.locator("a").first.get_attribute("href") or "")
            for item in page.locator("#search-results li").all()]


def test_search_groups_members_under_their_definition(browser: Any, site_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15000)
    hits = _search(page, site_url, "read-only")
    members = [(text, href) for text, href in hits if ".read-only (member of" in text]
    owners = [text.split(".read-only")[0] for text, _href in members]
    assert {"MountSpec", "VolumeInfo", "volume-create"} <= set(owners), hits
    assert len(owners) == len(set(owners))  # one hit per definition
    # members rank after definitions, above pages that merely mention them
    assert hits[0][0] == members[0][0], hits
    text, href = next(m for m in members if m[0].startswith("volume-create."))
    assert text == "volume-create.read-only (member of command, in Storage)"
    page.goto(f"{site_url}/{href}")
    anchor = href.partition("#")[2]
    assert page.locator(f"[id='{anchor}']").count() == 1
    # a namespace or definition prefix narrows the search
    hits = _search(page, site_url, "VolumeInfo.read-only")
    assert [text for text, _href in hits if "(member of" in text] == [
        "VolumeInfo.read-only (member of struct, in Storage)"]
    page.close()
