"""Sphinx configuration of the mplgif website (built by ``make site``).

``tools/build_site.py`` copies this folder, README.md, the numbered notebooks
and outputs/ into a temporary folder and runs Sphinx there: the notebooks are shown
with the outputs stored in them (nothing is executed), and outputs/ is copied
next to the pages, so the ``<img src="../outputs/...">`` tags that
``mplgif.show_gif`` stores resolve on the site exactly as in JupyterLab.
"""

import os
import shutil
from pathlib import Path

project = "mplgif"
author = "the mplgif authors"
html_title = "Animate Matplotlib figures and save them as GIFs"

extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["README.md", "outputs", "**/.ipynb_checkpoints"]

# Show the notebooks as committed: CI has already checked their outputs with nbval.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["substitution"]
myst_heading_anchors = 2  # README's "## The notebooks" becomes #the-notebooks

# "Launch on Binder": Binder builds environment.yml from the repository's
# public address, which tools/build_site.py passes in (from MPLGIF_REPOSITORY
# or a GitHub "origin" remote). Without one there is nothing to launch, and the
# index says so instead of linking to a guess.
repository = os.environ.get("MPLGIF_REPOSITORY", "")
branch = os.environ.get("MPLGIF_BRANCH", "main")
BINDER = "https://mybinder.org"
html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "use_download_button": True,  # the .ipynb, to run locally
    "use_fullscreen_button": False,
    "navbar_persistent": [],  # the sidebar has the search box; no second one in a top bar
}
if repository:
    html_theme_options |= {
        "repository_url": f"https://github.com/{repository}",
        "repository_branch": branch,
        "path_to_docs": "",
        "use_repository_button": True,
        "launch_buttons": {"binderhub_url": BINDER, "notebook_interface": "jupyterlab"},
    }
    binder = (
        f"[Launch the series on Binder]({BINDER}/v2/gh/{repository}/{branch}"
        "?urlpath=lab/tree/notebooks) to run every notebook in your browser, nothing to "
        "install: Binder builds the environment from the repository's `environment.yml`. "
        "On a notebook's page, the rocket button at the top opens that notebook."
    )
else:
    binder = (
        "This copy of the site was built without the repository's public address, so it "
        "has no Binder link: build it with `make site MPLGIF_REPOSITORY=owner/name` "
        "(a GitHub repository) to add one."
    )
myst_substitutions = {"binder": binder}
# The figures and GIFs are drawn on white: start light (readers can switch).
# Left unset, the theme logs "Got invalid theme mode" to the console.
html_context = {"default_mode": "light"}
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
html_css_files = ["mplgif.css"]


def site_links(app, docname, source):
    """In the repository a notebook's "Contents" link opens README.md; here, the index."""
    if docname.startswith("notebooks/"):
        source[0] = source[0].replace("../README.md#the-notebooks", "../index.md#the-notebooks")


def copy_outputs(app, exception):
    """Put outputs/ beside notebooks/ on the site, where their <img> tags look for it."""
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir) / "outputs"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(Path(app.srcdir) / "outputs", target)


def setup(app):
    app.connect("source-read", site_links)
    app.connect("build-finished", copy_outputs)
