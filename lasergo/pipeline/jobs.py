"""One notebook run: a :class:`Job` (notebook, parameters, neighbours for the navigation) executed
with Papermill into a build folder and rendered to its page, or to a failure page."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import papermill

from lasergo.pipeline.kernels import ENGINE_NAME, WarmKernel
from lasergo.pipeline.manifest import NotebookResult
from lasergo.pipeline.notebooks import KERNEL_NAME, headlines_of, reads_of, results_of, title_of
from lasergo.pipeline.render import render_html

DEFAULT_TIMEOUT = 1200  # seconds a notebook may run before it is stopped and published as failed
KERNEL_START_SECONDS = 300  # a kernel may start slowly on a loaded machine
#: Quiet kernels with their input history in memory (as nbclient gives its own kernels), not in a file.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.hist_file=:memory:"]


@dataclass(frozen=True)
class Job:
    """One page to build: its notebook, the parameters it gets, the build folder it is written to,
    its quarter (with the edition's cluster, if any), the pages before and after it (name, title)
    for the page's navigation, and why it is built (:mod:`lasergo.pipeline.cache`)."""

    source: Path
    parameters: dict
    folder: Path
    quarter: str
    previous: tuple[str, str] | None = None
    following: tuple[str, str] | None = None
    reason: str = ""  # why it is built (the cache's answer)
    root: str = "../"  # the reports folder, relative to the page (for the "all quarters" link)

    @property
    def navigation(self) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
        return self.previous, self.following

    @property
    def id(self) -> str:
        """Unique within a run: the page's file in its build folder."""
        return str(self.folder / self.source.stem)

    def render(self, notebook: nbformat.NotebookNode, show_code: bool) -> str:
        return render_html(notebook, self.quarter, show_code, self.previous, self.following, self.root)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def failure_page(job: Job, started: float, error: str) -> NotebookResult:
    """Publish what ran of the job's notebook (or the notebook itself) as a failure page showing its code."""
    source = job.source
    executed = job.folder / source.name
    notebook = nbformat.read(executed if executed.exists() else source, as_version=4)
    (job.folder / f"{source.stem}.html").write_text(job.render(notebook, show_code=True), encoding="utf-8")
    return NotebookResult(
        name=source.stem,
        title=title_of(notebook, source.stem),
        status="failed",
        seconds=round(time.monotonic() - started, 2),
        error=error,
        built=now(),
        parameters=job.parameters,
        reason=job.reason,
    )


def run_notebook(job: Job, timeout: float = DEFAULT_TIMEOUT, kernel: WarmKernel | None = None) -> NotebookResult:
    """Execute one notebook into its build folder and write its page; failures become a failure page.

    A cell that runs longer than ``timeout`` seconds stops the notebook. With ``kernel`` the notebook
    runs in that kept kernel (:mod:`lasergo.pipeline.kernels`), else in a kernel of its own."""
    started = time.monotonic()
    source, parameters = job.source, job.parameters
    executed = job.folder / source.name
    try:
        engine: dict = {}
        if kernel is not None:
            engine = {"engine_name": ENGINE_NAME, "km": kernel.ready_for(source.parent, KERNEL_START_SECONDS)}
        papermill.execute_notebook(
            str(source),
            str(executed),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            request_save_on_cell_execute=False,  # written once, at the end
            cwd=str(source.parent),
            execution_timeout=int(timeout),
            start_timeout=KERNEL_START_SECONDS,
            extra_arguments=KERNEL_ARGUMENTS,
            **engine,
        )
    except Exception as err:  # the notebook's own failure: recorded, the run goes on
        if kernel is not None:
            kernel.close()  # whatever the notebook left behind goes with its kernel
        error = f"{type(err).__name__}: {err}".strip().splitlines()[0][:500] if str(err) else type(err).__name__
        if isinstance(err, papermill.PapermillExecutionError):
            error = f"{err.ename}: {err.evalue}"[:500]
        return failure_page(job, started, error)
    notebook = nbformat.read(executed, as_version=4)
    (job.folder / f"{source.stem}.html").write_text(job.render(notebook, show_code=False), encoding="utf-8")
    executed.unlink()  # reviewers get the HTML; the executed notebook is kept only on failure
    return NotebookResult(
        name=source.stem,
        title=title_of(notebook, source.stem),
        status="ok",
        seconds=round(time.monotonic() - started, 2),
        headlines=headlines_of(notebook),
        built=now(),
        parameters=parameters,
        results=results_of(notebook),
        reads=reads_of(notebook),
        reason=job.reason,
    )
