"""The learner's path: JupyterLab started as ``make lab`` starts it, in a browser.

``tools/lab.py`` (what ``make lab`` runs) starts JupyterLab on a free port
with a token, in a copy of the repository's files, so that running a notebook
here cannot touch the working tree. Debian's headless Chromium then opens
every notebook and checks that every image among its stored outputs (the
figures and the GIFs shown with ``<img src="../outputs/...">``) decodes, runs
one notebook with Run > Run All Cells and checks that no cell printed an error,
and follows the navigation links. The server is shut down at the end.

Skipped, with the reason, where Playwright or Chromium is missing (see
tests/browser.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser import committed_outputs, confined_context, launch, playwright_or_skip

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
RUN_ALL = "03-regression-trace.ipynb"  # short, and it saves and shows a GIF
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def copy_of_the_repository(destination: Path) -> Path:
    """The files git tracks or would track, as they are in the working tree; the GIFs
    as they were when the test run began (the notebooks' tests may be writing
    outputs/ meanwhile)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if name.startswith("outputs/"):
            source = committed_outputs() / name.removeprefix("outputs/")
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def api(base: str, token: str, path: str, method: str = "GET") -> bytes:
    request = urllib.request.Request(f"{base}{path}", method=method,
                                     headers={"Authorization": f"token {token}"})
    with NO_PROXY.open(request, timeout=10) as response:
        return response.read()


sys.path.insert(0, str(ROOT / "tools"))
import lab as launcher  # noqa: E402  (tools/lab.py, what make lab runs)


@pytest.mark.parametrize("uid", [0, 1000])
def test_make_lab_serves_the_repository_and_allows_root_only_for_root(monkeypatch, uid):
    monkeypatch.setattr(launcher.os, "geteuid", lambda: uid, raising=False)
    argv = launcher.command(["--port=9999"])
    assert f"--ServerApp.root_dir={ROOT}" in argv
    assert (ROOT / argv[argv.index(f"--ServerApp.root_dir={ROOT}") + 1]).is_file()
    assert ("--allow-root" in argv) == (uid == 0)
    assert argv[-1] == "--port=9999"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """(base URL, token) of JupyterLab serving a copy of the repository."""
    playwright_or_skip()
    if shutil.which("git") is None:
        pytest.skip("git is needed to copy the repository's files")
    copy = copy_of_the_repository(tmp_path_factory.mktemp("repository"))
    home = tmp_path_factory.mktemp("jupyter-home")
    port, token = free_port(), secrets.token_hex(16)
    # The learner's own JupyterLab settings and workspaces stay out of the test.
    environment = os.environ | {
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "tools/lab.py", "--no-browser", f"--port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"],
        cwd=copy, env=environment, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                api(base, token, "/api/status")
                break
            except (urllib.error.URLError, ConnectionError) as error:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start ({error}):\n"
                                + (home / "lab.log").read_text())
                time.sleep(0.25)
        yield base, token, home / "lab.log"
    finally:
        try:
            api(base, token, "/api/shutdown", method="POST")
            server.wait(timeout=30)
        except (urllib.error.URLError, ConnectionError, subprocess.TimeoutExpired):
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def browser(lab):
    sync_api = playwright_or_skip()
    base = lab[0]
    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield confined_context(chromium, base)
        chromium.close()


def stored_images(path: Path) -> int:
    """How many images the notebook's stored outputs show: figures and <img> tags."""
    count = 0
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            count += "image/png" in data
            count += len(re.findall(r"<img\b", "".join(data.get("text/html", ""))))
    return count


def open_notebook(context, lab, name: str):
    """A new page with JupyterLab showing notebooks/`name` and nothing else."""
    base, token, _ = lab
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 and "/files/" in r.url else None)
    # ?reset: a fresh workspace, not the tabs an earlier page left open.
    page.goto(f"{base}/lab/tree/notebooks/{name}?reset&token={token}")
    current_notebook(page, name)
    return page, errors


def current_notebook(page, name: str):
    """The notebook panel of the current tab, once that tab is `name` and has cells."""
    tab = page.locator(".lm-TabBar-tab.jp-mod-current")
    tab.filter(has_text=name).wait_for(timeout=60_000)
    panel = page.locator(f"[id='{tab.get_attribute('data-id')}']")
    panel.locator(".jp-Cell").first.wait_for(timeout=60_000)
    return panel


def decoded_images(panel, expected: int) -> list[dict]:
    """The panel's output images once `expected` of them are there, each scrolled into
    view (so none is left unloaded below the fold) and given time to load."""
    images = panel.locator(".jp-OutputArea-output img")
    deadline = time.monotonic() + 30
    while images.count() < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    images.evaluate_all(
        """async all => { for (const i of all) { i.scrollIntoView();
               await (i.complete || new Promise(done => i.onload = i.onerror = done)); } }""")
    return images.evaluate_all(
        "all => all.map(i => ({src: (i.getAttribute('src') ?? '(no src)').slice(0, 80), "
        "width: i.naturalWidth}))")


@pytest.fixture(scope="module")
def walk(lab, browser) -> dict:
    """Open the first notebook, then each next one by its navigation link, as a learner
    reading the series would; last, the Contents link. One record per notebook, and on
    the way, notebook RUN_ALL run with Run > Run All Cells (record "run all")."""
    context, outside = browser
    timeout_error = playwright_or_skip().TimeoutError
    page, errors = open_notebook(context, lab, NOTEBOOKS[0].name)
    records = {}
    try:
        for position, path in enumerate(NOTEBOOKS):
            panel = current_notebook(page, path.name)
            if position:
                close_tab(page, NOTEBOOKS[position - 1].name)
            records[path.name] = decoded_images(panel, stored_images(path))
            if path.name == RUN_ALL:
                records["run all"] = run_all(page, panel, errors, outside)
            wait_for_the_kernel(page, path.name)  # before the next one closes this tab
            navigation = panel.locator(".jp-MarkdownCell").first
            if position + 1 < len(NOTEBOOKS):
                following = NOTEBOOKS[position + 1].name
                navigation.get_by_role("link", name=re.compile(f"^{following[:2]} ")).click()
            else:
                navigation.get_by_role("link", name="Contents").click()
                readme = page.locator(".lm-TabBar-tab.jp-mod-current", has_text="README.md")
                try:
                    readme.wait_for(timeout=15_000)
                except timeout_error:  # recorded, so the image tests still report
                    records["README.md"] = False
                else:
                    records["README.md"] = True
    finally:
        page.close()
        shut_down_kernels(lab)
    records["errors"], records["outside"] = list(errors), list(outside)
    return records


def close_tab(page, name: str) -> None:
    """Close the tab of notebook `name`, left behind once the next one is open: a hidden
    tab's GIFs go on playing, and with every notebook of the series open they keep a
    core busy. JupyterLab asks whether to save (its kernel has filled in the Python
    version, or the notebook was run): not saved."""
    tab = page.locator(".lm-TabBar-tab", has_text=name)
    tab.locator(".lm-TabBar-tabCloseIcon").click()
    discard = page.locator(".jp-Dialog").get_by_role("button", name="Discard")
    deadline = time.monotonic() + 15
    while tab.count() and time.monotonic() < deadline:
        if discard.count():
            # If the dialog went away meanwhile, the loop looks again.
            with contextlib.suppress(playwright_or_skip().TimeoutError):
                discard.click(timeout=1_000)
        time.sleep(0.05)
    assert not tab.count(), f"JupyterLab did not close the tab of {name}"


def wait_for_the_kernel(page, name: str) -> None:
    """Until the status bar says that notebook `name`'s kernel is idle ("Python 3
    (ipykernel) | Idle"): JupyterLab has started the kernel and connected to it. Closing
    a notebook before that leaves JupyterLab an uncaught "Disposed" error. (The toolbar's
    execution indicator says idle earlier, while the status bar still says "No Kernel |
    Initializing".)"""
    status = page.locator(f".jp-StatusBar-TextItem[title='Change kernel for {name}']")
    status.filter(has_text=re.compile(r"\| Idle$")).wait_for(timeout=60_000)


def run_all(page, panel, errors: list[str], outside: list[str]) -> dict:
    """Clear the outputs of the notebook in `panel`, run all its cells from the menus, as a
    learner would, and record what it printed to stderr, its images, and the errors and
    outside requests meanwhile."""
    notebook = json.loads((ROOT / "notebooks" / RUN_ALL).read_text(encoding="utf-8"))
    code_cells = sum(cell["cell_type"] == "code" for cell in notebook["cells"])
    errors_before, outside_before = len(errors), len(outside)
    wait_for_the_kernel(page, RUN_ALL)
    menu(page, "Edit", "Clear Outputs of All Cells")
    # Only this notebook's cells (the one before it is still open while this one runs).
    notebook_element = panel.element_handle()
    page.wait_for_function("panel => !panel.querySelector('.jp-OutputArea-output')",
                           arg=notebook_element)
    menu(page, "Run", "Run All Cells")
    # Every code cell's prompt turns from [ ]: to [n]: once it has run.
    page.wait_for_function(
        f"""panel => {{
            const prompts = [...panel.querySelectorAll(
                '.jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent.trim());
            return prompts.length === {code_cells} &&
                   prompts.every(p => /^\\[\\d+\\]:$/.test(p));
        }}""",
        arg=notebook_element, timeout=60_000)
    failures = panel.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    # The page showed the stored GIF a moment ago, and may show it again from memory:
    # fetch the file the run wrote, bypassing every cache, and decode it.
    fresh = panel.locator(".jp-OutputArea-output img").evaluate_all(
        """async all => Promise.all(all.filter(i => i.src.includes('outputs/')).map(
               async i => { const response = await fetch(i.src, {cache: 'no-store'});
                            const bitmap = await createImageBitmap(await response.blob());
                            return bitmap.width; }))""")
    return {
        "fresh gif widths": fresh,
        "printed": failures.all_inner_texts(),
        "images": decoded_images(panel, stored_images(ROOT / "notebooks" / RUN_ALL)),
        "errors": errors[errors_before:],
        "outside": outside[outside_before:],
    }


def shut_down_kernels(lab) -> None:
    """Opening a notebook starts its kernel; stop them when the page is closed."""
    base, token, _ = lab
    for kernel in json.loads(api(base, token, "/api/kernels")):
        api(base, token, f"/api/kernels/{kernel['id']}", method="DELETE")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_every_image_in_the_stored_outputs_shows(walk, path):
    assert path.name in walk, f"the walk through the series did not reach {path.name}"
    images = walk[path.name]
    assert len(images) == stored_images(path)
    broken = [image["src"] for image in images if image["width"] == 0]
    assert not broken, f"{path.name}: images that do not show in JupyterLab: {broken}"


def test_navigation_links_lead_through_the_series_to_the_contents(walk):
    assert walk.get("README.md"), "the Contents link did not open README.md"
    assert not walk["errors"], walk["errors"]
    assert not walk["outside"], f"requests outside JupyterLab: {walk['outside']}"


def test_run_all_cells_gives_no_error_and_its_gif_shows(walk):
    assert "run all" in walk, f"the walk through the series did not run {RUN_ALL}"
    ran = walk["run all"]
    assert not ran["printed"], (
        f"{RUN_ALL} printed errors or warnings when run in JupyterLab: {ran['printed']}")
    assert ran["images"] and all(image["width"] > 0 for image in ran["images"]), ran["images"]
    assert any("outputs/" in image["src"] for image in ran["images"])
    assert ran["fresh gif widths"] and all(ran["fresh gif widths"]), ran["fresh gif widths"]
    assert not ran["errors"], ran["errors"]
    assert not ran["outside"], f"requests outside JupyterLab: {ran['outside']}"


def menu(page, name: str, item: str) -> None:
    """Choose `item` from the menu bar's `name` menu, as a learner would."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{name}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()
