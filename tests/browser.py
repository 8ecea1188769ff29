"""What the browser tests share: Debian's headless Chromium, driven by Playwright.

No browser is downloaded: the tests use Debian's chromium-headless-shell
(``apt-get install chromium-headless-shell``, as .ci/run does), else Debian's full
/usr/bin/chromium, or the program named by ``MPLGIF_CHROMIUM``; they are skipped,
with the reason, where none of these is installed, or Playwright is missing.

The headless shell is Chromium's engine without the desktop browser around it,
what Playwright itself runs for headless tests. Here it is the lighter of the two:
`make test` took 140-146 s with it and 165-177 s with /usr/bin/chromium (2 cores,
side by side in one session), as the full browser's own processes compete with
the notebooks for the cores.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INSTALLED = (Path("/usr/bin/chromium-headless-shell"), Path("/usr/bin/chromium"))
CHROMIUM = Path(os.environ.get("MPLGIF_CHROMIUM")
                or next((path for path in INSTALLED if path.is_file()), INSTALLED[0]))
# Chromium's own network traffic (updates, sync, ...) is refused on closed
# networks and shows up as errors; the pages under test must not need any of it.
DESKTOP = {"width": 1280, "height": 900}  # the viewport confined_context opens with
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-proxy-server",  # the pages are on 127.0.0.1, whatever http_proxy says
    # No host name resolves but 127.0.0.1: a page that reaches for another host fails at
    # once. confined_context records every request outside the pages under test (named
    # host or not) with a listener: routing every request through Playwright instead
    # would turn the browser's cache off.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def playwright_or_skip():
    """Playwright's sync API, or skip the test with what to install."""
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="Playwright is not installed: `make test` installs site/requirements.txt")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's headless Chromium "
                    "(`apt-get install chromium-headless-shell`, as .ci/run does) "
                    "to run the browser tests")
    return sync_api


def launch(playwright):
    """Debian's Chromium, headless."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def confined_context(browser, base: str):
    """A desktop-sized browser context, and the list of every URL outside `base` it
    tried to load: pages must need nothing from outside. (Such a request fails, as no
    host name resolves in the browser: see CHROMIUM_ARGS.)"""
    context = browser.new_context(viewport=DESKTOP)
    outside: list[str] = []

    def record(request):
        url = request.url
        if not url.startswith((base, "data:", "blob:")):
            outside.append(url)

    context.on("request", record)
    return context, outside


def committed_outputs() -> Path:
    """outputs/ of the working tree as it was when the test run began (a copy the root
    conftest.py takes): the pages show the GIFs while the notebooks' tests may be
    writing them again."""
    snapshot = os.environ.get("MPLGIF_OUTPUTS_SNAPSHOT")
    return Path(snapshot) if snapshot else ROOT / "outputs"
