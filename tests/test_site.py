"""The website (``make site``) in a real browser: Debian's headless Chromium,
driven by Playwright, against the site served on 127.0.0.1.

One crawl visits every page of the site (and any page a link leads to) and
records console errors, failed or outside requests, images, links, element ids
and the page's width on a phone; the tests below check those records. With
``MPLGIF_SCREENSHOTS=1`` (``make screenshots``), two screenshots per page (the
full page on a desktop, the top on a phone) go to build/site/screenshots for a
human to look at.

Skipped, with the reason, where the site tools (site/requirements.txt) or
Chromium are not installed: ``make test`` installs the former, ``.ci/run``
the latter (see tests/browser.py for which Chromium, and ``MPLGIF_CHROMIUM``).
"""

from __future__ import annotations

import http.server
import io
import json
import os
import re
import sys
import threading
import urllib.error
import urllib.request
from collections import defaultdict
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "site" / "screenshots"
SCREENSHOTS_WANTED = os.environ.get("MPLGIF_SCREENSHOTS", "0") not in ("", "0")
PHONE = {"width": 390, "height": 844}
SEARCH = "search.html?q=twinx"  # the site's search runs in the browser, offline
# The Chinese site's search splits Chinese into words (jieba, with the series' own
# terms added): 学习率 (learning rate) must find notebook 06.
ZH_SEARCH = "zh-CN/search.html?q=学习率"
# The Binder links are built from the repository's public address, which a
# local clone may not have; the test site is built with this sample one and
# the links are checked against it.
SAMPLE_REPOSITORY, SAMPLE_BRANCH = "owner/mplgif", "main"
BINDER = f"https://mybinder.org/v2/gh/{SAMPLE_REPOSITORY}/{SAMPLE_BRANCH}?urlpath=lab/tree/"

sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402
from navigation import notebook_paths  # noqa: E402

from tests.browser import (  # noqa: E402
    DESKTOP,
    committed_outputs,
    confined_context,
    launch,
    playwright_or_skip,
)

NOTEBOOKS = {f"notebooks/{path.stem}.html": path for path in notebook_paths()}
# The Chinese pages show the same outputs as the English ones.
ZH_NOTEBOOKS = {f"zh-CN/{page}": path for page, path in NOTEBOOKS.items()}

PAGE_FACTS = """() => ({
  images: [...document.images].map(i => ({src: i.currentSrc || i.src, complete: i.complete,
                                          width: i.naturalWidth,
                                          output: i.closest('.cell_output') !== null})),
  links: [...document.querySelectorAll('a[href], link[rel~="icon"][href]')].map(a => a.href),
  cells_with_output: document.querySelectorAll('.cell_output').length,
  search_hits: [...document.querySelectorAll('#search-results a')].map(a => a.href),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  prev: document.querySelector('.prev-next-area a.left-prev')?.href ?? null,
  next: document.querySelector('.prev-next-area a.right-next')?.href ?? null,
  language: document.documentElement.lang,
  switch: document.querySelector('a.mplgif-language')?.href ?? null,
})"""


def test_github_repository_is_read_from_the_environment_or_origin(monkeypatch):
    monkeypatch.setenv("MPLGIF_REPOSITORY", "https://github.com/someone/mplgif.git")
    assert build_site.github_repository() == "someone/mplgif"
    monkeypatch.setenv("MPLGIF_REPOSITORY", "someone/mplgif")
    assert build_site.github_repository() == "someone/mplgif"
    monkeypatch.setenv("MPLGIF_REPOSITORY", "someone/mplgif.git")
    assert build_site.github_repository() == "someone/mplgif"
    monkeypatch.setenv("MPLGIF_REPOSITORY", "not a repository")
    with pytest.raises(build_site.SiteError, match="not a GitHub repository"):
        build_site.github_repository()


def test_the_site_replaces_only_an_empty_folder_or_an_earlier_build(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / ".buildinfo").write_text("another Sphinx project's build")
    with pytest.raises(build_site.SiteError, match="not an earlier build"):
        build_site.build(tmp_path, "", "main")
    assert (tmp_path / "notes.txt").read_text() == "mine"
    with pytest.raises(build_site.SiteError, match="the repository itself"):
        build_site.build(ROOT, "", "main")
    with pytest.raises(build_site.SiteError, match="inside the repository"):
        build_site.check_output_folder(ROOT / "outputs" / "site")
    with pytest.raises(build_site.SiteError, match="is a file"):
        build_site.check_output_folder(tmp_path / "notes.txt")
    (tmp_path / build_site.MARKER).write_text("")
    build_site.check_output_folder(tmp_path)  # an earlier build: may be replaced
    build_site.check_output_folder(tmp_path / "new")
    build_site.check_output_folder(ROOT / "build" / "no-such-folder" / "html")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    for module in ("sphinx", "myst_nb", "sphinx_book_theme"):
        pytest.importorskip(module, reason=f"{module} is not installed in this environment "
                            "(`make test` and `make site` install site/requirements.txt; "
                            "`make test-oldest` leaves the website's tools out)")
    out = tmp_path_factory.mktemp("site") / "html"
    # The GIFs as committed: the notebooks' tests may be writing outputs/ meanwhile.
    build_site.build(out, SAMPLE_REPOSITORY, SAMPLE_BRANCH, committed_outputs())
    return out


def test_site_builds_without_warnings_with_a_page_per_notebook(site):
    # Runs without Chromium too: the build itself fails on any Sphinx warning.
    assert (site / "index.html").is_file()
    assert all((site / page).is_file() for page in NOTEBOOKS)
    assert sorted(p.name for p in (site / "outputs").glob("*.gif")) == sorted(
        p.name for p in committed_outputs().glob("*.gif"))


@pytest.fixture(scope="module")
def server(site):
    handler = partial(QuietHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
        httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files only: a link to a folder is a broken link, not a listing."""

    def list_directory(self, path):
        self.send_error(404, "folder listings are off: link to a page")

    def log_message(self, format, *args):  # keep pytest's output for failures
        pass


NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with NO_PROXY.open(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


@pytest.fixture(scope="module")
def browser(server):
    """(context, outside): Chromium confined to the site (tests/browser.py)."""
    sync_api = playwright_or_skip()
    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield confined_context(chromium, server)
        chromium.close()


@pytest.fixture(scope="module")
def crawl(site, server, browser) -> dict[str, dict]:
    """Visit every page of the site, and any page a link leads to; one record per path."""
    if SCREENSHOTS_WANTED:
        if SCREENSHOTS.exists():
            for old in SCREENSHOTS.glob("*.png"):
                old.unlink()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    records: dict[str, dict] = {}
    pages = (p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    # _static/ holds the theme's template fragments, not pages.
    queue = ["index.html", *sorted(p for p in pages if "_static" not in p.split("/")),
             SEARCH, ZH_SEARCH]
    context, _ = browser
    # One tab for every page, as a reader clicking through the site has: a new tab
    # per page would cost more than the page itself.
    page = context.new_page()
    # Each problem is filed under the page shown when it happened (page.url then), so
    # one that arrives late, while the next page loads, still counts for its own page.
    problems: dict[str, list[str]] = defaultdict(list)

    def report(problem: str) -> None:
        problems[page.url].append(problem)

    page.on("console", lambda m: report(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda error: report(f"uncaught: {error}"))
    # net::ERR_ABORTED is the browser dropping a request, as it does for those still
    # under way when we move on to the next page: not something the site did.
    page.on("requestfailed", lambda r: report(f"failed: {r.url} ({r.failure})")
            if "ERR_ABORTED" not in (r.failure or "") else None)
    page.on("response", lambda r: report(f"HTTP {r.status}: {r.url}") if r.status >= 400
            else None)
    page.on("request", lambda r: report(f"tried to load from outside the site: {r.url}")
            if not r.url.startswith((server, "data:", "blob:")) else None)
    while queue:
        path = queue.pop(0)
        if path in records:
            continue
        records[path] = record = visit(page, server, path)
        for link in record["links"]:
            target = urldefrag(link).url
            if target.startswith(server) and target.endswith(".html"):
                queue.append(target[len(server):])
    page.goto("about:blank")  # the last page's late messages arrive meanwhile
    page.close()
    for path, record in records.items():
        record["errors"] = problems.pop(server + path, [])
    # Anything filed under another address (before the first page, or a page the browser
    # was sent on to) counts for the index, with that address.
    records["index.html"]["errors"] += [f"at {url}: {problem}"
                                        for url, found in problems.items() for problem in found]
    return records


def visit(page, server: str, path: str) -> dict:
    """Load `path` in `page` at a desktop's width, and record its facts (PAGE_FACTS),
    the player's where it has one, and its width on a phone."""
    page.set_viewport_size(DESKTOP)
    # Everything a page shows has loaded by its load event; the only request made
    # later is the browser's for the page icon, which is checked as a link instead.
    response = page.goto(server + path, wait_until="load")
    if path in (SEARCH, ZH_SEARCH):
        page.wait_for_selector("#search-results a", timeout=10_000)
    record = page.evaluate(PAGE_FACTS)
    record["status"] = response.status if response else None
    if path in PLAYER_PAGES:
        record["player"] = try_the_player(page)
    name = re.sub(r"[^\w-]+", "-", path.replace("/", "--").removesuffix(".html"))
    if SCREENSHOTS_WANTED:
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    # The same page on a phone: nothing may stick out sideways. (Measured after
    # two animation frames: the first lays the page out at the new width.)
    page.set_viewport_size(PHONE)
    record["phone_width"] = page.evaluate(
        "new Promise(done => requestAnimationFrame(() => requestAnimationFrame("
        "() => done(document.documentElement.scrollWidth))))")
    if SCREENSHOTS_WANTED:
        page.screenshot(path=SCREENSHOTS / f"{name}--phone.png")
    return record


def test_every_notebook_has_a_page_reachable_from_the_index(crawl, server):
    # In both languages: the Chinese pages through the language switch.
    assert crawl["index.html"]["status"] == 200
    reached, queue = set(), ["index.html"]
    while queue:
        page = queue.pop()
        if page in reached or page not in crawl:
            continue
        reached.add(page)
        queue += [urldefrag(link).url[len(server):] for link in crawl[page]["links"]
                  if link.startswith(server)]
    missing = [page for page in [*NOTEBOOKS, *ZH_NOTEBOOKS] if page not in reached]
    assert not missing, f"notebook pages no link leads to from the index: {missing}"
    if SCREENSHOTS_WANTED:
        assert len(list(SCREENSHOTS.glob("*.png"))) == 2 * len(crawl)  # desktop and phone


def test_pages_load_without_errors(crawl):
    problems = {page: record["errors"] for page, record in crawl.items() if record["errors"]}
    assert not problems, f"errors in the browser: {problems}"


def test_every_image_has_decoded_and_every_gif_is_animated(crawl):
    gifs, problems = set(), []
    for page, record in crawl.items():
        for image in record["images"]:
            if not (image["complete"] and image["width"] > 0):
                problems.append(f"{page}: {image['src']} did not decode")
            if gif_name(image["src"]):
                gifs.add(image["src"])
    for src in sorted(gifs):
        status, data = fetch(src)
        if status != 200:
            problems.append(f"{src}: HTTP {status}")
            continue
        with Image.open(io.BytesIO(data)) as gif:
            if gif.format != "GIF" or not getattr(gif, "is_animated", False):
                problems.append(f"{src} is not an animated GIF")
    assert not problems, problems
    shown = {gif_name(src) for src in gifs}
    committed = {path.name for path in committed_outputs().glob("*.gif")}
    assert committed <= shown, f"GIFs in outputs/ shown by no page: {sorted(committed - shown)}"


def gif_name(src: str) -> str:
    """The file name of an image URL if it is a GIF, else ""."""
    name = unquote(Path(urlsplit(src).path).name)
    return name if name.lower().endswith(".gif") else ""


def stored_outputs(notebook: Path) -> tuple[list[str], int, int]:
    """The GIFs (outputs/ names) and PNG images among a notebook's stored outputs, and the
    number of cells that have any output; a to_jshtml() player (not stored, but shown on
    the site) counts as a cell with one PNG image, its current frame."""
    gifs, pngs, cells = [], 0, 0
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if "remove-output" in cell.get("metadata", {}).get("tags", []):
            cells, pngs = cells + 1, pngs + 1  # 01's player: the site build runs it
            continue
        cells += bool(cell.get("outputs"))
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            pngs += "image/png" in data
            html = "".join(data.get("text/html", ""))
            gifs += map(unquote, re.findall(r'src="\.\./outputs/([^"]+\.gif)"', html))
    return sorted(gifs), pngs, cells


@pytest.mark.parametrize("page", [*NOTEBOOKS, *ZH_NOTEBOOKS])
def test_each_notebook_page_shows_the_notebooks_stored_outputs(crawl, page):
    notebook = (NOTEBOOKS | ZH_NOTEBOOKS)[page]
    gifs, pngs, cells = stored_outputs(notebook)
    assert cells > 0, f"{notebook.name} has no stored outputs: run make gifs"
    assert crawl[page]["cells_with_output"] == cells
    shown = [image["src"] for image in crawl[page]["images"] if image["output"]]
    shown_gifs = sorted(filter(None, map(gif_name, shown)))
    assert shown_gifs == gifs
    assert len(shown) - len(shown_gifs) == pngs


def test_pages_fit_a_phone_screen(crawl):
    wide = {page: record["phone_width"] for page, record in crawl.items()
            if record["phone_width"] > PHONE["width"]}
    assert not wide, f"pages wider than a {PHONE['width']} px phone screen: {wide}"


def test_search_finds_the_notebook_that_teaches_twinx(crawl, server):
    (twinx_page,) = [page for page in NOTEBOOKS if page.startswith("notebooks/04-")]
    assert server + twinx_page in {urldefrag(hit).url for hit in crawl[SEARCH]["search_hits"]}


def test_chinese_search_finds_the_notebook_on_the_learning_rate(crawl, server):
    (rate_page,) = [page for page in ZH_NOTEBOOKS if page.startswith("zh-CN/notebooks/06-")]
    hits = {urldefrag(hit).url for hit in crawl[ZH_SEARCH]["search_hits"]}
    assert server + rate_page in hits, hits


def test_every_page_links_to_the_same_page_in_the_other_language(crawl, server):
    problems = []
    for page, record in crawl.items():
        path = urlsplit(page).path
        chinese = path.startswith("zh-CN/")
        expected = server + (path.removeprefix("zh-CN/") if chinese else "zh-CN/" + path)
        if record["switch"] != expected:
            problems.append(f"{page}: switch leads to {record['switch']}, not {expected}")
        if record["language"] != ("zh-CN" if chinese else "en"):
            problems.append(f"{page}: <html lang={record['language']!r}>")
    assert not problems, problems
    assert sum(page.startswith("zh-CN/") for page in crawl) >= len(ZH_NOTEBOOKS) + 2


def test_every_internal_link_resolves(crawl, server):
    problems = []
    for page, record in crawl.items():
        for link in record["links"]:
            if not link.startswith(server):
                continue
            target, fragment = urldefrag(link)
            path = target[len(server):] or "index.html"
            if path in crawl:
                if crawl[path]["status"] != 200:
                    problems.append(f"{page}: {link} (HTTP {crawl[path]['status']})")
                elif fragment and unquote(fragment) not in crawl[path]["ids"]:
                    problems.append(f"{page}: {link} (no element with that id)")
            elif fetch(target)[0] != 200:
                problems.append(f"{page}: {link} (not found)")
    assert not problems, problems


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_prev_and_next_follow_the_series_order(crawl, server, language):
    if language == "en":
        order = ["index.html", *NOTEBOOKS]
    else:
        order = ["zh-CN/index.html", *ZH_NOTEBOOKS]
    for position, page in enumerate(order):
        expected_prev = server + order[position - 1] if position > 0 else None
        expected_next = server + order[position + 1] if position + 1 < len(order) else None
        assert (crawl[page]["prev"], crawl[page]["next"]) == (expected_prev, expected_next), page


def test_binder_links_launch_each_notebook_from_the_repository(crawl):
    assert BINDER + "notebooks" in crawl["index.html"]["links"]
    assert BINDER + "notebooks/zh-CN" in crawl["zh-CN/index.html"]["links"]
    for page in NOTEBOOKS:
        notebook = page.removesuffix(".html") + ".ipynb"
        assert BINDER + notebook in crawl[page]["links"], page


# Notebook 01's to_jshtml() player is stored by no notebook (tools/run_notebooks.py); the
# site build runs that cell, and the theme's Font Awesome draws the icons (as SVGs).
PLAYER_PAGES = ("notebooks/01-reset-redraw.html", "zh-CN/notebooks/01-reset-redraw.html")


def try_the_player(page) -> dict:
    """Pause the page's to_jshtml() player and step it once, as a learner would."""
    frame = page.locator(".cell_output img[id^='_anim_img']")
    if frame.count() != 1:
        return {"players": frame.count()}
    page.get_by_role("button", name="Pause").click()
    before = frame.get_attribute("src")
    page.get_by_role("button", name="Next frame").click()
    return {
        "players": 1,
        "stepped": frame.get_attribute("src") != before,
        "png": before.startswith("data:image/png"),
        "shown": frame.evaluate("image => image.naturalWidth") > 0,
        "icons": page.locator(".anim-buttons button").evaluate_all(
            "all => all.map(b => b.querySelector('svg')?.getBoundingClientRect().width ?? 0)"),
    }


@pytest.mark.parametrize("page", PLAYER_PAGES)
def test_the_to_jshtml_player_plays_and_steps_with_icons_from_the_site(crawl, page):
    facts = crawl[page]["player"]
    assert facts["players"] == 1, f"{page}: no to_jshtml() player"
    assert facts["stepped"] and facts["png"] and facts["shown"], (page, facts)
    icons = facts["icons"]
    assert len(icons) == 9 and all(width > 0 for width in icons), f"{page}: icons {icons}"
    # Loaded nothing from outside the site: test_pages_load_without_errors checks every page.


def test_a_request_outside_the_site_is_recorded_and_fails_at_once(server, browser):
    # What test_pages_load_without_errors relies on: confined_context records the URL,
    # and the browser resolves no outside host, so nothing waits on the network.
    context, outside = browser
    page = context.new_page()
    try:
        page.goto(server + "genindex.html", wait_until="load")
        outside.clear()
        width = page.evaluate("""() => new Promise(done => {
            const image = new Image();
            image.onload = image.onerror = () => done(image.naturalWidth);
            setTimeout(() => done(-1), 5000);  // still waiting: the network was asked
            image.src = 'https://example.org/outside.png';
        })""")
    finally:
        page.close()
    assert width == 0, "the image from outside loaded, or was still loading after 5 s"
    assert outside == ["https://example.org/outside.png"]
