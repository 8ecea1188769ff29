"""Sphinx configuration of the mplgif website (built by ``make site``).

``tools/build_site.py`` copies this folder, README.md, the numbered notebooks
and outputs/ into a temporary folder and runs Sphinx there: the notebooks are shown
with the outputs stored in them (nothing is executed), and outputs/ is copied
next to the pages, so the ``<img src="../outputs/...">`` tags that
``mplgif.show_gif`` stores resolve on the site exactly as in JupyterLab.
"""

import logging
import os
import shutil
from pathlib import Path

import sphinx

project = "mplgif"
author = "the mplgif authors"
# tools/build_site.py builds the site twice: in English, and in Chinese into zh-CN/
# (MPLGIF_LANGUAGE=zh-CN, with -D language=zh_CN, which also makes the search Chinese).
CHINESE = os.environ.get("MPLGIF_LANGUAGE") == "zh-CN"
if CHINESE:
    # jieba, which splits Chinese words for the search index, logs each step of
    # loading its dictionary; only its warnings are worth a line.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    # The series' own terms (学习率, 代价函数, ...) are words to search for, not
    # pieces of words: jieba's dictionary gets them from zh-dict.txt.
    html_search_options = {"dict": str(Path(__file__).resolve().parent / "zh-dict.txt")}
html_title = "一步一步用 Matplotlib 做 GIF 动图" if CHINESE else (
    "Animate Matplotlib figures and save them as GIFs")

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
    # Every page links to the same page in the other language.
    "article_header_end": ["language-switch.html", "article-header-buttons.html"],
}
templates_path = ["_templates"]
if repository:
    html_theme_options |= {
        "repository_url": f"https://github.com/{repository}",
        "repository_branch": branch,
        "path_to_docs": "",
        "use_repository_button": True,
    }
    if not CHINESE:  # a Chinese page's own notebook lies elsewhere: notebooks/zh-CN/
        html_theme_options["launch_buttons"] = {
            "binderhub_url": BINDER, "notebook_interface": "jupyterlab"}
    binder = (
        f"[Launch the series on Binder]({BINDER}/v2/gh/{repository}/{branch}"
        "?urlpath=lab/tree/notebooks) to run every notebook in your browser, nothing to "
        "install: Binder builds the environment from the repository's `environment.yml`. "
        "On a notebook's page, the rocket button at the top opens that notebook."
    )
    if CHINESE:  # the Chinese notebooks are in notebooks/zh-CN/ of the repository
        binder = (
            f"[在 Binder 上打开本系列]({BINDER}/v2/gh/{repository}/{branch}"
            "?urlpath=lab/tree/notebooks/zh-CN)，在浏览器里运行每一个笔记本，无需安装："
            "Binder 按仓库里的 `environment.yml` 搭好环境。"
        )
elif CHINESE:
    binder = (
        "这份网站在构建时没有提供仓库的公开地址，因此没有 Binder 链接：用 "
        "`make site MPLGIF_REPOSITORY=owner/name`（一个 GitHub 仓库）构建即可加上。"
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
html_context = {"default_mode": "light", "mplgif_chinese": CHINESE}
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
html_css_files = ["mplgif.css"]


def site_links(app, docname, source):
    """In the repository a notebook's "Contents" link opens the README; here, the index."""
    if docname.startswith("notebooks/"):
        source[0] = source[0].replace("../README.md#the-notebooks", "../index.md#the-notebooks")
        source[0] = source[0].replace("../README.zh-CN.md#笔记本", "../index.md#笔记本")


def copy_outputs(app, exception):
    """Put outputs/ beside notebooks/ on the site, where their <img> tags look for it."""
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir) / "outputs"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(Path(app.srcdir) / "outputs", target)


def chinese_search_language():
    """Sphinx's Chinese search, with its stemmer named so that the page finds it.

    The Chinese search reuses the English stemmer for Latin words, but Sphinx 9
    ends language_data.js with ``window.Stemmer = ChineseStemmer``, which is
    never defined: the search page throws and finds nothing. Named "English",
    the line refers to the stemmer the file does define.
    """
    from sphinx.search.zh import SearchChinese

    class ChineseSearch(SearchChinese):
        language_name = "English"

    return ChineseSearch


def setup(app):
    if CHINESE and sphinx.version_info >= (9,):
        app.add_search_language(chinese_search_language())
    app.connect("source-read", site_links)
    app.connect("build-finished", copy_outputs)
