"""Run the notebooks for a quarter (Papermill), render them to HTML, publish.

A quarter is built in a hidden temporary folder beside ``reports/<quarter>``
and swapped in only when every page is written, so an interrupted or failed
run leaves the published reports as they were. A notebook that raises does
not stop the others: it is published as its executed notebook plus a page
that shows the failing cell, and the run ends with a non-zero status.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import papermill
from tqdm import tqdm

import lasergo
from lasergo.data.dataset import load_data
from lasergo.errors import PipelineError
from lasergo.pipeline.indexes import overall_index, quarter_index
from lasergo.pipeline.manifest import (
    MANIFEST_FILE,
    Manifest,
    NotebookResult,
    git_commit,
    input_hashes,
    previous_manifest,
)
from lasergo.pipeline.notebooks import (
    KERNEL_NAME,
    NOTEBOOK_DIR,
    OUTPUT_PARAMETER,
    PROJECT_DIR,
    declared_parameters,
    discover_notebooks,
    ensure_kernel,
    headlines_of,
    parameters_per_notebook,
    title_of,
)
from lasergo.pipeline.publish import publish, write_atomically
from lasergo.pipeline.render import render_html
from lasergo.quarter import report_quarter

PUBLIC_REPORTS = PROJECT_DIR / "reports"  # what reviewers read: never pages with company names


@dataclass
class RunResult:
    """A finished quarter build: its folder and one result per notebook."""

    quarter: str
    folder: Path
    notebooks: list[NotebookResult]

    @property
    def ok(self) -> bool:
        return all(nb.status == "ok" for nb in self.notebooks)


def run_notebook(source: Path, folder: Path, parameters: dict, quarter: str) -> NotebookResult:
    """Execute one notebook into ``folder`` and write its page; failures become a failure page."""
    started = time.monotonic()
    executed = folder / source.name
    error = None
    if OUTPUT_PARAMETER in declared_parameters(source):
        parameters = {**parameters, OUTPUT_PARAMETER: str(folder.resolve())}  # notebooks run in their own folder
    try:
        papermill.execute_notebook(
            str(source),
            str(executed),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            cwd=str(source.parent),
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except Exception as err:  # the notebook's own failure: recorded, the run goes on
        error = f"{type(err).__name__}: {err}".strip().splitlines()[0][:500] if str(err) else type(err).__name__
        if isinstance(err, papermill.PapermillExecutionError):
            error = f"{err.ename}: {err.evalue}"[:500]
    notebook = nbformat.read(executed, as_version=4) if executed.exists() else nbformat.read(source, as_version=4)
    title = title_of(notebook, source.stem)
    (folder / f"{source.stem}.html").write_text(
        render_html(notebook, quarter, show_code=error is not None), encoding="utf-8"
    )
    if error is None:
        executed.unlink()  # reviewers get the HTML; the executed notebook is kept only on failure
    return NotebookResult(
        name=source.stem,
        title=title,
        status="ok" if error is None else "failed",
        seconds=round(time.monotonic() - started, 2),
        error=error,
        headlines=headlines_of(notebook) if error is None else [],
    )


def build_reports(
    *,
    data_dir: Path,
    out_dir: Path,
    quarter: str | None = None,
    notebook_dir: Path = NOTEBOOK_DIR,
    only: list[str] | None = None,
    parameters: dict | None = None,
    seed: int = 1,
    workers: int | None = None,
    progress: bool = True,
) -> RunResult:
    """Execute and render every notebook for ``quarter`` and publish ``out_dir/<quarter>``.

    Raises InputError (bad data), ParameterError or PipelineError (bad request) before anything
    is written.
    """
    started = datetime.now(UTC)
    if (parameters or {}).get("internal") and Path(out_dir).resolve() == PUBLIC_REPORTS:
        raise PipelineError(
            f"internal=True puts company names on the pages: give --out a folder outside "
            f"{PUBLIC_REPORTS}, which reviewers read"
        )
    data_dir = Path(data_dir).resolve()
    dataset = load_data(data_dir)
    period = report_quarter(quarter, dataset.latest_date(), str(data_dir))
    notebooks = discover_notebooks(Path(notebook_dir), only)
    wanted = {"quarter": str(period), "data_dir": str(data_dir), "seed": seed, **(parameters or {})}
    per_notebook = parameters_per_notebook(notebooks, wanted)
    ensure_kernel()

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".build-{period}-", dir=out_dir))
    build.chmod(0o755)  # mkdtemp makes it private; the published quarter is read by others
    try:
        results = _execute_all(notebooks, per_notebook, build, str(period), workers, progress)
        manifest = Manifest(
            quarter=str(period),
            data_dir=str(data_dir),
            synthetic=dataset.synthetic,
            parameters=wanted,
            inputs=input_hashes(dataset.files),
            package_version=lasergo.__version__,
            git_commit=git_commit(PROJECT_DIR),
            started=started.isoformat(timespec="seconds"),
            finished=datetime.now(UTC).isoformat(timespec="seconds"),
            notebooks=results,
        )
        (build / MANIFEST_FILE).write_text(manifest.to_json(), encoding="utf-8")
        (build / "index.html").write_text(
            quarter_index(manifest, previous_manifest(out_dir, str(period))), encoding="utf-8"
        )
        publish(build, out_dir / str(period))
    finally:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)
    write_atomically(out_dir / "index.html", overall_index(out_dir))
    return RunResult(quarter=str(period), folder=out_dir / str(period), notebooks=results)


def _execute_all(
    notebooks: list[Path],
    per_notebook: dict[Path, dict],
    build: Path,
    quarter: str,
    workers: int | None,
    progress: bool,
) -> list[NotebookResult]:
    """Run the notebooks in parallel worker processes, with a progress bar of notebooks done."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(notebooks)))
    results: dict[str, NotebookResult] = {}
    context = multiprocessing.get_context("spawn")
    with (
        ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool,
        tqdm(total=len(notebooks), desc=f"{quarter} notebooks", unit="nb", disable=not progress) as bar,
    ):
        futures = {pool.submit(run_notebook, nb, build, per_notebook[nb], quarter): nb for nb in notebooks}
        for future in as_completed(futures):
            result = future.result()
            results[result.name] = result
            bar.set_postfix_str(f"{result.name}: {result.status}")
            bar.update()
    return [results[nb.stem] for nb in notebooks]
