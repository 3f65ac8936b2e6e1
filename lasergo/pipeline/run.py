"""Run the notebooks for a quarter (Papermill), render them to HTML, publish.

A quarter is built in a hidden temporary folder beside ``reports/<quarter>``
and swapped in only when every page is written, so an interrupted or failed
run leaves the published reports as they were. A notebook that raises, runs
past its time limit or whose process dies does not stop the others: it is
published as a page that shows the failure, and the run ends with a non-zero
status. ``--only`` rebuilds the named pages inside the published quarter and
keeps the rest. One run at a time writes a reports folder (:mod:`.lock`);
SIGINT and SIGTERM stop every worker and remove the build folder.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.process import BaseProcess
from pathlib import Path

import nbformat
import papermill
from tqdm import tqdm

import lasergo
from lasergo.data.dataset import load_data
from lasergo.errors import ParameterError, PipelineError
from lasergo.pipeline.indexes import overall_index, quarter_index
from lasergo.pipeline.lock import reports_lock
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
    PROJECT_DIR,
    discover_notebooks,
    ensure_kernel,
    headlines_of,
    title_of,
)
from lasergo.pipeline.parameters import declared_defaults, notebook_parameters
from lasergo.pipeline.publish import publish, write_atomically
from lasergo.pipeline.render import render_html
from lasergo.quarter import report_quarter

PUBLIC_REPORTS = PROJECT_DIR / "reports"  # what reviewers read: never pages with company names
DEFAULT_TIMEOUT = 1200  # seconds a notebook may run before it is stopped and published as failed
KERNEL_START_SECONDS = 300  # a kernel may start slowly on a loaded machine
GRACE_SECONDS = 30  # beyond the time limits, before a worker that does not answer is killed


class RunStopped(BaseException):
    """The run was stopped by a signal (SIGTERM); the exit status is 128 + ``signum``."""

    def __init__(self, signum: int):
        super().__init__(f"stopped by signal {signum}")
        self.signum = signum


@dataclass
class RunResult:
    """A finished quarter build: its folder, one result per page and the data's warnings."""

    quarter: str
    folder: Path
    notebooks: list[NotebookResult]
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return all(nb.status == "ok" for nb in self.notebooks)


@dataclass(frozen=True)
class Job:
    """One page to build: its notebook, the parameters it gets, and the pages before and after it
    in the quarter (name, title), for the page's navigation."""

    source: Path
    parameters: dict
    previous: tuple[str, str] | None = None
    following: tuple[str, str] | None = None

    def render(self, notebook: nbformat.NotebookNode, quarter: str, show_code: bool) -> str:
        return render_html(notebook, quarter, show_code, self.previous, self.following)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _failure_page(job: Job, folder: Path, quarter: str, started: float, error: str) -> NotebookResult:
    """Publish what ran of the job's notebook (or the notebook itself) as a failure page showing its code."""
    source = job.source
    executed = folder / source.name
    notebook = nbformat.read(executed if executed.exists() else source, as_version=4)
    (folder / f"{source.stem}.html").write_text(job.render(notebook, quarter, show_code=True), encoding="utf-8")
    return NotebookResult(
        name=source.stem,
        title=title_of(notebook, source.stem),
        status="failed",
        seconds=round(time.monotonic() - started, 2),
        error=error,
        built=_now(),
        parameters=job.parameters,
    )


def run_notebook(job: Job, folder: Path, quarter: str, timeout: float = DEFAULT_TIMEOUT) -> NotebookResult:
    """Execute one notebook into ``folder`` and write its page; failures become a failure page.

    A cell that runs longer than ``timeout`` seconds stops the notebook."""
    started = time.monotonic()
    source, parameters = job.source, job.parameters
    executed = folder / source.name
    try:
        papermill.execute_notebook(
            str(source),
            str(executed),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            cwd=str(source.parent),
            execution_timeout=int(timeout),
            start_timeout=KERNEL_START_SECONDS,
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except Exception as err:  # the notebook's own failure: recorded, the run goes on
        error = f"{type(err).__name__}: {err}".strip().splitlines()[0][:500] if str(err) else type(err).__name__
        if isinstance(err, papermill.PapermillExecutionError):
            error = f"{err.ename}: {err.evalue}"[:500]
        return _failure_page(job, folder, quarter, started, error)
    notebook = nbformat.read(executed, as_version=4)
    (folder / f"{source.stem}.html").write_text(job.render(notebook, quarter, show_code=False), encoding="utf-8")
    executed.unlink()  # reviewers get the HTML; the executed notebook is kept only on failure
    return NotebookResult(
        name=source.stem,
        title=title_of(notebook, source.stem),
        status="ok",
        seconds=round(time.monotonic() - started, 2),
        headlines=headlines_of(notebook),
        built=_now(),
        parameters=parameters,
    )


def _worker(job: Job, folder: Path, quarter: str, timeout: float, results: multiprocessing.Queue) -> None:
    """One notebook in a process group of its own, so that stopping the run stops it too."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    results.put(run_notebook(job, folder, quarter, timeout))


def _stop(process: BaseProcess) -> None:
    """Stop a worker and everything in its process group: SIGTERM, then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        if not process.is_alive():
            break
        try:
            if process.pid is None:
                raise ProcessLookupError
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            process.kill() if sig == signal.SIGKILL else process.terminate()
        process.join(wait)


def _execute_all(
    jobs: list[Job],
    build: Path,
    quarter: str,
    workers: int | None,
    progress: bool,
    timeout: float,
) -> list[NotebookResult]:
    """Run the notebooks in parallel worker processes with a progress bar of notebooks done; a
    worker past ``timeout`` (plus a grace) or dead without an answer gives a failure page."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    context = multiprocessing.get_context("spawn")
    answers: multiprocessing.Queue = context.Queue()
    pending = list(jobs)
    running: dict[str, tuple[BaseProcess, Job, float]] = {}
    results: dict[str, NotebookResult] = {}
    bar = tqdm(total=len(jobs), desc=f"{quarter} notebooks", unit="nb", disable=not progress)

    def done(result: NotebookResult) -> None:
        results[result.name] = result
        bar.set_postfix_str(f"{result.name}: {result.status}")
        bar.update()

    try:
        while pending or running:
            while pending and len(running) < workers:
                job = pending.pop(0)
                worker: BaseProcess = context.Process(
                    target=_worker, daemon=True, args=(job, build, quarter, timeout, answers)
                )
                worker.start()
                running[job.source.stem] = (worker, job, time.monotonic())
            try:
                answer = answers.get(timeout=0.5)
            except queue.Empty:
                for name, (worker, job, started) in list(running.items()):
                    late = time.monotonic() - started > timeout + KERNEL_START_SECONDS + GRACE_SECONDS
                    if late or not worker.is_alive():
                        _stop(worker)
                        del running[name]
                        error = (
                            f"TimeoutError: the notebook ran longer than {timeout:g} seconds"
                            if late
                            else f"the notebook's process ended unexpectedly (exit code {worker.exitcode})"
                        )
                        done(_failure_page(job, build, quarter, started, error))
                continue
            if answer.name in running:  # not already given up on
                running.pop(answer.name)[0].join(5)
                done(answer)
    finally:
        for process, _, _ in running.values():
            _stop(process)
        bar.close()
    return [results[job.source.stem] for job in jobs]


@contextmanager
def _stopping_on_sigterm() -> Iterator[None]:
    """SIGTERM raises :class:`RunStopped` in the main thread (SIGINT raises KeyboardInterrupt),
    so that the clean-up of the run happens on either."""

    def stop(signum: int, frame: object) -> None:
        raise RunStopped(signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _remove_debris(out_dir: Path) -> None:
    """Build and swap folders left by runs that died (the caller holds the lock)."""
    for leftover in [*out_dir.glob(".build-*"), *out_dir.glob(".old-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def _keep_published(target: Path, build: Path, rebuilt: list[Path]) -> list[NotebookResult]:
    """Copy the published quarter into ``build`` without the pages about to be rebuilt (and their
    exports); the kept pages' manifest entries."""
    manifest_path = target / MANIFEST_FILE
    if not manifest_path.is_file():
        return []
    names = {nb.stem for nb in rebuilt}
    for path in target.iterdir():
        rebuilt_page = any(path.name.startswith((f"{name}.", f"{name}_")) for name in names)
        if not rebuilt_page and path.name not in (MANIFEST_FILE, "index.html") and path.is_file():
            shutil.copy2(path, build / path.name)
    previous = Manifest.from_dict(json.loads(manifest_path.read_text(encoding="utf-8")))
    return [nb for nb in previous.notebooks if nb.name not in names]


def _is_inside(path: Path, folder: Path) -> bool:
    return path.resolve() == folder.resolve() or path.resolve().is_relative_to(folder.resolve())


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
    timeout: float = DEFAULT_TIMEOUT,
    wait: bool = False,
) -> RunResult:
    """Execute and render the notebooks for ``quarter`` and publish ``out_dir/<quarter>``.

    Raises InputError (bad data), ParameterError or PipelineError (bad request) before anything
    is written.
    """
    started = _now()
    data_dir = Path(data_dir).resolve()
    dataset = load_data(data_dir)
    period = report_quarter(quarter, dataset.latest_date(), data_dir.name)
    first = dataset.first_date()
    if first is not None and period.end_time < first:
        raise ParameterError(
            f"{period} ends before the first dated record of {data_dir.name} "
            f"({first:%Y-%m-%d}): there is nothing to report"
        )
    notebooks = discover_notebooks(Path(notebook_dir), only)
    defaults = {nb: declared_defaults(nb) for nb in notebooks}
    user = notebook_parameters(defaults, parameters or {})
    internal = any(values.get("internal") is True for values in user.values())
    out_dir = Path(out_dir)
    if internal and _is_inside(out_dir, PUBLIC_REPORTS):
        raise PipelineError(
            f"internal=True puts company-level rows on the pages: give --out a folder outside "
            f"{PUBLIC_REPORTS}, which reviewers read"
        )
    base = {"quarter": str(period), "data_dir": str(data_dir), "seed": seed}
    ensure_kernel()
    out_dir.mkdir(parents=True, exist_ok=True)
    with reports_lock(out_dir, wait), _stopping_on_sigterm():
        _remove_debris(out_dir)
        target = out_dir / str(period)
        build = Path(tempfile.mkdtemp(prefix=f".build-{period}-", dir=out_dir))
        build.chmod(0o755)  # mkdtemp makes it private; the published quarter is read by others
        try:
            every = [
                (nb.stem, title_of(nbformat.read(nb, as_version=4), nb.stem))
                for nb in discover_notebooks(Path(notebook_dir))
            ]
            order = [name for name, _ in every]
            jobs = []
            for nb in notebooks:
                k = order.index(nb.stem)
                parameters = {
                    **{key: value for key, value in base.items() if key in defaults[nb]},
                    **({"output_dir": str(build.resolve())} if "output_dir" in defaults[nb] else {}),
                    **user[nb],
                }
                jobs.append(
                    Job(nb, parameters, every[k - 1] if k > 0 else None, every[k + 1] if k + 1 < len(every) else None)
                )
            kept = _keep_published(target, build, notebooks) if only else []
            results = _execute_all(jobs, build, str(period), workers, progress, timeout)
            pages = sorted(
                [*kept, *results], key=lambda r: (order.index(r.name) if r.name in order else len(order), r.name)
            )
            manifest = Manifest(
                quarter=str(period),
                data_dir=str(data_dir),
                synthetic=dataset.synthetic,
                parameters={**base, **{k: v for values in user.values() for k, v in values.items()}},
                inputs=input_hashes(dataset.files),
                package_version=lasergo.__version__,
                git_commit=git_commit(PROJECT_DIR),
                started=started,
                finished=_now(),
                notebooks=pages,
                internal=internal,
            )
            (build / MANIFEST_FILE).write_text(manifest.to_json(), encoding="utf-8")
            (build / "index.html").write_text(
                quarter_index(manifest, previous_manifest(out_dir, str(period))), encoding="utf-8"
            )
            publish(build, target)
        finally:
            if build.exists():
                shutil.rmtree(build, ignore_errors=True)
        write_atomically(out_dir / "index.html", overall_index(out_dir))
    return RunResult(quarter=str(period), folder=target, notebooks=results, warnings=dataset.warnings)
