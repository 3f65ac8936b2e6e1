"""Where the notebooks run: an :class:`Executor` takes a list of jobs and gives one result per job.

Two implementations: :class:`LocalProcesses` (the default: one spawned process per notebook, in a
process group of its own, with a hard time limit) and :class:`DaskDistributed` (a Dask
``distributed`` cluster: a :class:`~distributed.LocalCluster` started for the run, or a running
scheduler whose workers see the same paths). Dask is an optional extra: ``pip install lasergo[dask]``.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import time
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any, Protocol

from tqdm import tqdm

from lasergo.errors import PipelineError
from lasergo.pipeline.jobs import KERNEL_START_SECONDS, Job, failure_page, run_notebook
from lasergo.pipeline.manifest import NotebookResult

GRACE_SECONDS = 30  # beyond the time limits, before a worker that does not answer is killed


class Executor(Protocol):
    """Runs jobs; used as a context manager that starts and stops its workers."""

    def __enter__(self) -> Executor: ...

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None: ...

    def run(self, jobs: list[Job], timeout: float, progress: bool) -> list[NotebookResult]:
        """One result per job, in the jobs' order; a notebook that fails gives a failure page."""
        ...


def _worker(job: Job, timeout: float, results: multiprocessing.Queue) -> None:
    """One notebook in a process group of its own, so that stopping the run stops it too."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    results.put((job.id, run_notebook(job, timeout)))


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


def _run_locally(jobs: list[Job], workers: int | None, progress: bool, timeout: float) -> list[NotebookResult]:
    """Run the notebooks in parallel worker processes with a progress bar of notebooks done; a
    worker past ``timeout`` (plus a grace) or dead without an answer gives a failure page."""
    if not jobs:
        return []
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    context = multiprocessing.get_context("spawn")
    answers: multiprocessing.Queue = context.Queue()
    pending = list(jobs)
    running: dict[str, tuple[BaseProcess, Job, float]] = {}
    results: dict[str, NotebookResult] = {}
    bar = tqdm(total=len(jobs), desc="notebooks", unit="nb", disable=not progress)

    def done(job: Job, result: NotebookResult) -> None:
        results[job.id] = result
        bar.set_postfix_str(f"{job.quarter} {result.name}: {result.status}")
        bar.update()

    try:
        while pending or running:
            while pending and len(running) < workers:
                job = pending.pop(0)
                worker: BaseProcess = context.Process(target=_worker, daemon=True, args=(job, timeout, answers))
                worker.start()
                running[job.id] = (worker, job, time.monotonic())
            try:
                answer = answers.get(timeout=0.5)
            except queue.Empty:
                for key, (worker, job, started) in list(running.items()):
                    late = time.monotonic() - started > timeout + KERNEL_START_SECONDS + GRACE_SECONDS
                    if late or not worker.is_alive():
                        _stop(worker)
                        del running[key]
                        error = (
                            f"TimeoutError: the notebook ran longer than {timeout:g} seconds"
                            if late
                            else f"the notebook's process ended unexpectedly (exit code {worker.exitcode})"
                        )
                        done(job, failure_page(job, started, error))
                continue
            key, result = answer
            if key in running:  # not already given up on
                worker, job, _ = running.pop(key)
                worker.join(5)
                done(job, result)
    finally:
        for process, _, _ in running.values():
            _stop(process)
        bar.close()
    return [results[job.id] for job in jobs]


@dataclass
class LocalProcesses:
    """Notebooks in parallel worker processes on this machine, ``workers`` at a time (default: one per core)."""

    workers: int | None = None

    def __enter__(self) -> LocalProcesses:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def run(self, jobs: list[Job], timeout: float, progress: bool) -> list[NotebookResult]:
        return _run_locally(jobs, self.workers, progress, timeout)


@dataclass
class DaskDistributed:
    """Notebooks as tasks of a Dask ``distributed`` cluster: ``scheduler`` is ``"local"`` (a
    LocalCluster of ``workers`` single-threaded processes, started for the run) or the address of a
    running scheduler (``tcp://HOST:PORT``) whose workers see the same paths as this machine."""

    scheduler: str
    workers: int | None = None
    _client: Any = field(default=None, init=False, repr=False)
    _cluster: Any = field(default=None, init=False, repr=False)

    def __enter__(self) -> DaskDistributed:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise PipelineError("--scheduler needs Dask distributed: pip install 'lasergo[dask]'") from None
        if self.scheduler == "local":
            self._cluster = LocalCluster(
                n_workers=self.workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # a free port: no clash with another cluster
            )
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(self.scheduler, timeout="10s")
            except OSError as err:
                raise PipelineError(f"no Dask scheduler at {self.scheduler}: {err}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def run(self, jobs: list[Job], timeout: float, progress: bool) -> list[NotebookResult]:
        from distributed import as_completed

        if not jobs:
            return []
        started = time.monotonic()
        futures = {self._client.submit(run_notebook, job, timeout, pure=False): job for job in jobs}
        results: dict[str, NotebookResult] = {}
        with tqdm(total=len(jobs), desc="notebooks (Dask)", unit="nb", disable=not progress) as bar:
            for future in as_completed(futures):
                job = futures[future]
                try:
                    result = future.result()
                except Exception as err:  # the worker died or the task was lost: a failure page, the run goes on
                    result = failure_page(job, started, f"{type(err).__name__}: {err}"[:500])
                results[job.id] = result
                bar.set_postfix_str(f"{result.name}: {result.status}")
                bar.update()
        return [results[job.id] for job in jobs]


def executor_for(scheduler: str | None, workers: int | None) -> Executor:
    """Local worker processes when ``scheduler`` is None, else Dask distributed."""
    return LocalProcesses(workers) if scheduler is None else DaskDistributed(scheduler, workers)
