"""Executed notebooks to self-contained HTML pages (nbconvert) and the index pages (Jinja).

Every template renders with autoescape on, so text from data or manifests is
escaped wherever it appears in an index.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
from jinja2 import Environment, FileSystemLoader

from lasergo.pages.common import READS_MIME, RESULT_MIME

if TYPE_CHECKING:
    from nbconvert import HTMLExporter

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


def _is_stderr(output: nbformat.NotebookNode) -> bool:
    return output.output_type == "stream" and output.get("name") == "stderr"


def _for_pipeline(output: nbformat.NotebookNode) -> bool:
    return bool({RESULT_MIME, READS_MIME} & set(output.get("data", {})))


def for_reading(notebook: nbformat.NotebookNode, keep_stderr: bool = False) -> nbformat.NotebookNode:
    """A copy of the notebook without the results and table reads it recorded for the pipeline and, unless
    ``keep_stderr`` (a failure page), without the warnings and logs its cells wrote to stderr:
    they name server paths and library internals, which a reviewer's page does not show."""
    copy = nbformat.from_dict(notebook)
    for cell in copy.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not _for_pipeline(o) and (keep_stderr or not _is_stderr(o))]
    return copy


def with_contents(page: str) -> str:
    """The page with a list of its sections (its ``h2`` headings) under its title."""
    from bs4 import BeautifulSoup  # imported where pages are made: the index pages need neither bs4 nor nbconvert

    soup = BeautifulSoup(page, features="html.parser")
    title = soup.find("h1")
    sections = [(h["id"], h.get_text().replace("\u00b6", "").strip()) for h in soup.find_all("h2") if h.get("id")]
    if title is None or len(sections) < 2:
        return page
    nav = soup.new_tag("nav", attrs={"class": "lasergo-toc"})
    nav.append("On this page: ")
    for k, (anchor, text) in enumerate(sections):
        if k:
            nav.append(" \u00b7 ")
        link = soup.new_tag("a", href=f"#{anchor}")
        link.string = text
        nav.append(link)
    title.insert_after(nav)
    return str(soup)


@functools.cache
def _exporter(show_code: bool) -> HTMLExporter:
    """The page exporter, made once per process: its templates are compiled on first use."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lasergo_report",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=False,  # charts are outputs, embedded as data URIs anyway; Markdown cells hold no images
    )


def render_html(
    notebook: nbformat.NotebookNode,
    quarter: str,
    show_code: bool,
    previous: tuple[str, str] | None = None,
    following: tuple[str, str] | None = None,
    root: str = "../",
) -> str:
    """Self-contained HTML: code hidden (unless asked, as on a failure page, which also keeps the
    cells' warnings), images embedded, no other host contacted; the same navigation on every page
    (the quarter's index, all quarters at ``root``, the ``previous`` and ``following`` pages as
    (name, title), and the page's own sections)."""
    notebook = for_reading(notebook, keep_stderr=show_code)
    resources = {
        "lasergo_quarter": quarter,
        "lasergo_previous": previous,
        "lasergo_next": following,
        "lasergo_root": root,
    }
    body, _ = _exporter(show_code).from_notebook_node(notebook, resources=resources)
    return with_contents(body)


def render_template(name: str, **context: object) -> str:
    """One of the workbook's index templates, every value escaped."""
    environment = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True)
    return environment.get_template(name).render(**context)
