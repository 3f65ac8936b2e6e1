"""Executed notebooks to self-contained HTML pages (nbconvert) and the index pages (Jinja).

Every template renders with autoescape on, so text from data or manifests is
escaped wherever it appears in an index.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from jinja2 import Environment, FileSystemLoader
from nbconvert import HTMLExporter

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


def without_stderr(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the notebook without the warnings and logs its cells wrote to stderr: they name
    server paths and library internals, which a reviewer's page does not show."""
    copy = nbformat.from_dict(notebook)
    for cell in copy.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.get("name") == "stderr")]
    return copy


def render_html(notebook: nbformat.NotebookNode, quarter: str, show_code: bool) -> str:
    """Self-contained HTML: code hidden (unless asked, as on a failure page, which also keeps the
    cells' warnings), images embedded, no other host contacted."""
    if not show_code:
        notebook = without_stderr(notebook)
    exporter = HTMLExporter(
        template_name="lasergo_report",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(notebook, resources={"lasergo_quarter": quarter})
    return body


def render_template(name: str, **context: object) -> str:
    """One of the workbook's index templates, every value escaped."""
    environment = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True)
    return environment.get_template(name).render(**context)
