"""The report notebooks: which there are, what parameters they declare, the kernel they run on,
and what they tell the index (title, headline figures and the results other pages read)."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager

from lasergo.errors import PipelineError
from lasergo.pages.common import HEADLINE_MIME, READS_MIME, RESULT_MIME, Headline

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
NOTEBOOK_DIR = PROJECT_DIR / "notebooks"
#: The workbook's Jupyter kernel: the Python of this installation, under its own name so that a
#: shared JupyterLab shows it beside a researcher's other kernels.
KERNEL_NAME = "lasergo"
KERNEL_DISPLAY_NAME = "LASER-GO workbook"


def ensure_kernel() -> None:
    """Register the workbook's kernel in this environment (``sys.prefix``) if it is not there yet."""
    if KERNEL_NAME in KernelSpecManager().find_kernel_specs():
        return
    from ipykernel.kernelspec import install

    install(kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY_NAME, prefix=sys.prefix)


def discover_notebooks(directory: Path, only: list[str] | None = None) -> list[Path]:
    """The report notebooks of ``directory`` in file-name order, optionally only the named ones."""
    notebooks = sorted(p for p in directory.glob("*.ipynb") if not p.name.startswith("."))
    if only:
        wanted = {name.removesuffix(".ipynb") for name in only}
        unknown = wanted - {p.stem for p in notebooks}
        if unknown:
            raise PipelineError(
                f"no notebook named {', '.join(sorted(unknown))} in {directory} "
                f"(have: {', '.join(p.stem for p in notebooks)})"
            )
        notebooks = [p for p in notebooks if p.stem in wanted]
    if not notebooks:
        raise PipelineError(f"no notebooks in {directory}")
    return notebooks


def headlines_of(notebook: nbformat.NotebookNode) -> list[Headline]:
    """The headline figures a notebook displayed with :func:`lasergo.pages.common.headline`."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if HEADLINE_MIME in data:
                found.append(Headline(**data[HEADLINE_MIME]))
    return found


def results_of(notebook: nbformat.NotebookNode) -> dict[str, object]:
    """The results a notebook recorded with :func:`lasergo.pages.common.record_result`, by key."""
    found: dict[str, object] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            record = output.get("data", {}).get(RESULT_MIME)
            if record is not None:
                found[record["key"]] = record["value"]
    return found


def reads_of(notebook: nbformat.NotebookNode) -> list[str]:
    """The input tables a notebook read (recorded by :func:`lasergo.pages.common.load_quarter`), sorted."""
    return sorted(
        {
            output["data"][READS_MIME]
            for cell in notebook.cells
            for output in cell.get("outputs", [])
            if READS_MIME in output.get("data", {})
        }
    )


def title_of(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The first Markdown heading of the notebook."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback
