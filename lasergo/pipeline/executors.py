"""Where the notebooks run: an :class:`Executor` takes a list of jobs and gives one result per job.

Two implementations: :class:`LocalProcesses` (the default: a few long-lived worker processes, each
in a process group of its own with a kept kernel, and a hard time limit per notebook) and
:class:`DaskDistributed` (a Dask ``distributed`` cluster: a :class:`~distributed.LocalCluster`
started for the run, or a running scheduler whose workers see the same paths). Dask is an optional
extra: ``pip install lasergo[dask]``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any, Protocol

from tqdm import tqdm

from lasergo.errors import PipelineError
from lasergo.pipeline.jobs import (
    KERNEL_ARGUMENTS,
    KERNEL_START_SECONDS,
    Job,
    failure_page,
    run_notebook,
)
from lasergo.pipeline.kernels import WarmKernel
from lasergo.pipeline.manifest import NotebookResult
from lasergo.pipeline.notebooks import KERNEL_NAME

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


def _serve(inbox: multiprocessing.Queue, answers: multiprocessing.Queue) -> None:
    """A worker: in a process group of its own, it starts the workbook's kernel, then runs the jobs
    it is given with their time limit, one at a time, until it is given None. Papermill, nbconvert,
    the page template and the kernel are loaded once per worker, not once per notebook. Its kernel
    ends with it (ipykernel stops when its parent process is gone)."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    kernel = WarmKernel(KERNEL_NAME, KERNEL_ARGUMENTS)
    try:
        with contextlib.suppress(Exception):  # if it cannot start now, the first job tries again and says why
            kernel.start()
        while (given := inbox.get()) is not None:
            job, timeout = given
            answers.put((job.id, run_notebook(job, timeout, kernel)))
    finally:
        kernel.close()


@dataclass
class _Worker:
    """A worker process, its job queue, and the job it runs now (since ``started``)."""

    process: BaseProcess
    inbox: multiprocessing.Queue
    job: Job | None = None
    started: float = 0.0


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


@dataclass
class LocalProcesses:
    """Notebooks in parallel worker processes on this machine, ``workers`` at a time (default: one
    per core). The workers are started by the first jobs and serve every later :meth:`run` of the
    same ``with`` block (the summary pages after the pages), each with its kernel kept warm."""

    workers: int | None = None
    _pool: list[_Worker] = field(default_factory=list, init=False, repr=False)
    _answers: Any = field(default=None, init=False, repr=False)

    def __enter__(self) -> LocalProcesses:
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self._pool:  # idle workers stop their kernels and end; busy ones are stopped
            if worker.job is None:
                worker.inbox.put(None)
        for worker in self._pool:
            if worker.job is None:
                worker.process.join(GRACE_SECONDS)
            _stop(worker.process)
        self._pool.clear()

    def _start_worker(self) -> _Worker:
        context = multiprocessing.get_context("spawn")
        if self._answers is None:
            self._answers = context.Queue()
        inbox: multiprocessing.Queue = context.Queue()
        process = context.Process(target=_serve, daemon=True, args=(inbox, self._answers))
        process.start()
        return _Worker(process, inbox)

    def run(self, jobs: list[Job], timeout: float, progress: bool) -> list[NotebookResult]:
        """Run the notebooks with a progress bar of notebooks done; a worker past ``timeout`` (plus a
        grace) or dead without an answer gives a failure page and is replaced."""
        if not jobs:
            return []
        wanted = max(1, min(self.workers or os.cpu_count() or 1, len(jobs)))
        self._pool.extend(self._start_worker() for _ in range(wanted - len(self._pool)))
        pending = list(jobs)
        results: dict[str, NotebookResult] = {}
        bar = tqdm(total=len(jobs), desc="notebooks", unit="nb", disable=not progress)

        def done(job: Job, result: NotebookResult) -> None:
            results[job.id] = result
            bar.set_postfix_str(f"{job.quarter} {result.name}: {result.status}")
            bar.update()

        try:
            while pending or any(w.job is not None for w in self._pool):
                for worker in self._pool:
                    if worker.job is None and pending:
                        worker.job, worker.started = pending.pop(0), time.monotonic()
                        worker.inbox.put((worker.job, timeout))
                try:
                    key, result = self._answers.get(timeout=0.5)
                except queue.Empty:
                    self._replace_stuck_workers(timeout, done)
                    continue
                answered = next((w for w in self._pool if w.job is not None and w.job.id == key), None)
                if answered is not None and answered.job is not None:  # not already given up on
                    done(answered.job, result)
                    answered.job = None
        finally:
            bar.close()
        return [results[job.id] for job in jobs]

    def _replace_stuck_workers(self, timeout: float, done: Callable[[Job, NotebookResult], None]) -> None:
        for k, worker in enumerate(self._pool):
            late = time.monotonic() - worker.started > timeout + KERNEL_START_SECONDS + GRACE_SECONDS
            if worker.job is not None and (late or not worker.process.is_alive()):
                _stop(worker.process)
                error = (
                    f"TimeoutError: the notebook ran longer than {timeout:g} seconds"
                    if late
                    else f"the notebook's process ended unexpectedly (exit code {worker.process.exitcode})"
                )
                done(worker.job, failure_page(worker.job, worker.started, error))
                self._pool[k] = self._start_worker()


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
