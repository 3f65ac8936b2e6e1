"""Run the notebooks for a quarter (Papermill), render them to HTML, publish.

A quarter is built in a hidden temporary folder beside ``reports/<quarter>``
and swapped in only when every page is written, so an interrupted or failed
run leaves the published reports as they were. A notebook that raises, runs
past its time limit or whose process dies does not stop the others: it is
published as a page that shows the failure, and the run ends with a non-zero
status. ``--only`` rebuilds the named pages inside the published quarter and
keeps the rest. One run at a time writes a reports folder (:mod:`.lock`);
SIGINT and SIGTERM stop every worker and remove the build folder.

Summary pages (the notebooks that declare a ``page_results`` parameter, such as
the viability scorecard) run after the others and read their recorded results
from a file the pipeline writes, so their figures equal the pages' by
construction; they are rebuilt on every run, ``--only`` or not.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

import lasergo
from lasergo.data import reference
from lasergo.data.dataset import Dataset, save_snapshot
from lasergo.errors import ParameterError, PipelineError
from lasergo.pipeline.cache import (
    RUN_PATHS,
    PageKey,
    code_hash,
    keep_snapshot,
    reference_hash,
    results_hash,
    validated_data,
)
from lasergo.pipeline.executors import Executor, LocalProcesses
from lasergo.pipeline.indexes import overall_index, quarter_index
from lasergo.pipeline.jobs import DEFAULT_TIMEOUT, Job, now
from lasergo.pipeline.lock import reports_lock
from lasergo.pipeline.manifest import (
    MANIFEST_FILE,
    Manifest,
    NotebookResult,
    git_commit,
    input_hashes,
    previous_manifest,
)
from lasergo.pipeline.notebooks import NOTEBOOK_DIR, PROJECT_DIR, discover_notebooks, ensure_kernel, title_of
from lasergo.pipeline.parameters import declared_defaults, notebook_parameters
from lasergo.pipeline.publish import publish, write_atomically
from lasergo.quarter import report_quarter

PUBLIC_REPORTS = PROJECT_DIR / "reports"  # what reviewers read: never pages with company names
PAGE_RESULTS_FILE = "page_results.json"  # the pages' results, for the summary pages; not published
CACHE_DIR = ".cache"  # in the reports folder: the validated data of the last run, not published


class RunStopped(BaseException):
    """The run was stopped by a signal (SIGTERM); the exit status is 128 + ``signum``."""

    def __init__(self, signum: int):
        super().__init__(f"stopped by signal {signum}")
        self.signum = signum


@dataclass
class RunResult:
    """A finished quarter build: its folder, one result per page of the partnership's edition, the
    pages of each cluster's edition (``--by cluster``) and the data's warnings."""

    quarter: str
    folder: Path
    notebooks: list[NotebookResult]
    warnings: tuple[str, ...] = ()
    editions: dict[str, list[NotebookResult]] = field(default_factory=dict)

    @property
    def every_page(self) -> list[NotebookResult]:
        return [*self.notebooks, *(nb for pages in self.editions.values() for nb in pages)]

    @property
    def ok(self) -> bool:
        return all(nb.status == "ok" for nb in self.every_page)


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


@dataclass
class Edition:
    """One set of pages of a quarter being built: the partnership's (``cluster`` empty) or one
    cluster's, its build and published folders, its published manifest and its pages so far."""

    quarter: str
    cluster: str
    build: Path
    target: Path
    previous: Manifest | None
    pages: dict[str, NotebookResult] = field(default_factory=dict)

    @property
    def root(self) -> str:
        """The reports folder, relative to the edition's pages."""
        return "../../../" if self.cluster else "../"

    def published(self, name: str) -> NotebookResult | None:
        if self.previous is None:
            return None
        return next((nb for nb in self.previous.notebooks if nb.name == name), None)

    def carry_over(self, page: NotebookResult, reason: str) -> None:
        """Copy a published page (and its exports) into the build, unchanged."""
        for path in self.target.glob(f"{page.name}*"):
            if path.is_file() and path.name.startswith((f"{page.name}.", f"{page.name}_")):
                shutil.copy2(path, self.build / path.name)
        self.pages[page.name] = replace(page, outcome="reused", reason=reason)


def _published_manifest(folder: Path) -> Manifest | None:
    path = folder / MANIFEST_FILE
    if not path.is_file():
        return None
    return Manifest.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _write_page_results(path: Path, quarter: str, pages: list[NotebookResult]) -> None:
    """The pages' results as the summary pages read them: ``{"quarter", "notebooks": [...]}``, each
    notebook as in the manifest."""
    path.write_text(
        json.dumps({"quarter": quarter, "notebooks": [asdict(page) for page in pages]}, default=str), encoding="utf-8"
    )


def _is_inside(path: Path, folder: Path) -> bool:
    return path.resolve() == folder.resolve() or path.resolve().is_relative_to(folder.resolve())


def _quarters(dataset: Dataset, quarter: str | None, all_quarters: bool, where: str) -> list[pd.Period]:
    """The quarters to build: every quarter of the data, oldest first, or the one asked for."""
    first, latest = dataset.first_date(), dataset.latest_date()
    if all_quarters:
        if first is None or latest is None:
            raise ParameterError(f"{where} has no dated record: there is no quarter to report")
        return list(pd.period_range(first.to_period("Q"), latest.to_period("Q"), freq="Q"))
    period = report_quarter(quarter, latest, where)
    if first is not None and period.end_time < first:
        raise ParameterError(
            f"{period} ends before the first dated record of {where} ({first:%Y-%m-%d}): there is nothing to report"
        )
    return [period]


#: A page's cache key from its notebook, parameters, the tables it read (None: not known) and its
#: neighbours in the navigation.
KeyOf = Callable[[Path, dict, list[str] | None, tuple], PageKey]


@dataclass(frozen=True)
class _Plan:
    """What the whole run builds: notebooks, their declared parameters, the user's values."""

    notebooks: list[Path]
    summaries: list[Path]
    chosen: list[Path]
    defaults: dict[Path, dict]
    user: dict[Path, dict]
    order: list[tuple[str, str]]  # every notebook's (name, title), for the navigation


def _plan(notebook_dir: Path, only: list[str] | None, parameters: dict | None) -> _Plan:
    every = discover_notebooks(notebook_dir)
    defaults = {nb: declared_defaults(nb) for nb in every}
    summaries = [nb for nb in every if "page_results" in defaults[nb]]
    chosen = discover_notebooks(notebook_dir, only)
    notebooks = [nb for nb in every if nb in chosen or nb in summaries]
    user = notebook_parameters({nb: defaults[nb] for nb in notebooks}, parameters or {})
    order = [(nb.stem, title_of(nbformat.read(nb, as_version=4), nb.stem)) for nb in every]
    return _Plan(notebooks, summaries, chosen, defaults, user, order)


def _jobs_for(
    edition: Edition,
    notebooks: list[Path],
    plan: _Plan,
    base: dict,
    key_of: KeyOf,
    force: bool,
    only: bool,
) -> list[Job]:
    """The pages of ``notebooks`` the edition must build; the others are carried over now."""
    names = [name for name, _ in plan.order]
    jobs = []
    for nb in notebooks:
        k = names.index(nb.stem)
        parameters = {
            **{key: value for key, value in base.items() if key in plan.defaults[nb]},
            **({"cluster": edition.cluster} if edition.cluster and "cluster" in plan.defaults[nb] else {}),
            **plan.user[nb],
        }
        published = edition.published(nb.stem)
        navigation = (plan.order[k - 1] if k > 0 else None, plan.order[k + 1] if k + 1 < len(plan.order) else None)
        key = key_of(nb, parameters, published.reads if published is not None and published.key else None, navigation)
        if force:
            reason: str | None = "--force"
        elif only and nb in plan.chosen:
            reason = "named by --only"
        else:
            reason = key.why_rebuild(published)
        if reason is None and published is not None:
            edition.carry_over(published, f"unchanged since {published.built}")
            continue
        jobs.append(
            Job(
                nb,
                parameters,
                edition.build,
                edition.quarter + (f" {edition.cluster}" if edition.cluster else ""),
                *navigation,
                reason=reason or "new page",
                root=edition.root,
            )
        )
    return jobs


def _finish(
    edition: Edition,
    plan: _Plan,
    base: dict,
    started: str,
    dataset: Dataset,
    internal: bool,
    out_dir: Path,
    editions: list[str],
) -> Manifest:
    """Write the edition's manifest and index."""
    names = [name for name, _ in plan.order]
    pages = sorted(
        edition.pages.values(), key=lambda r: (names.index(r.name) if r.name in names else len(names), r.name)
    )
    manifest = Manifest(
        quarter=edition.quarter,
        data_dir=str(dataset.directory),
        synthetic=dataset.synthetic,
        parameters={
            **{k: v for k, v in base.items() if k not in RUN_PATHS},  # the run's scratch files shape no page
            **{k: v for values in plan.user.values() for k, v in values.items()},
        },
        inputs=input_hashes(dataset.files),
        package_version=lasergo.__version__,
        git_commit=git_commit(PROJECT_DIR),
        started=started,
        finished=now(),
        notebooks=pages,
        internal=internal,
        cluster=edition.cluster,
    )
    (edition.build / MANIFEST_FILE).write_text(manifest.to_json(), encoding="utf-8")
    before = previous_manifest(out_dir, edition.quarter, edition.cluster)
    (edition.build / "index.html").write_text(quarter_index(manifest, before, editions), encoding="utf-8")
    return manifest


def build_quarters(
    *,
    data_dir: Path,
    out_dir: Path,
    quarter: str | None = None,
    all_quarters: bool = False,
    by_cluster: bool = False,
    force: bool = False,
    notebook_dir: Path = NOTEBOOK_DIR,
    only: list[str] | None = None,
    parameters: dict | None = None,
    seed: int = 1,
    workers: int | None = None,
    progress: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    wait: bool = False,
    executor: Executor | None = None,
) -> list[RunResult]:
    """Build and publish ``out_dir/<quarter>`` for ``quarter`` (default: the newest in the data) or,
    with ``all_quarters``, for every quarter of the data, oldest first; with ``by_cluster``, one
    edition per cluster beside the partnership's in each quarter's ``clusters/<CLUSTER>/``.

    The data folder is validated once; the notebooks read the validated snapshot. A page whose
    notebook, parameters, tables read, reference tables, package and lock file are unchanged since
    the published quarter is carried over (``force`` rebuilds every page). Every page of every
    quarter and edition goes to ``executor`` (default: :class:`LocalProcesses` with ``workers``) at
    once, then every summary page.

    Raises InputError (bad data), ParameterError or PipelineError (bad request) before anything
    is written.
    """
    started = now()
    data_dir = Path(data_dir).resolve()
    out_dir = Path(out_dir)
    dataset, validated = validated_data(data_dir, out_dir / CACHE_DIR)
    periods = _quarters(dataset, quarter, all_quarters, data_dir.name)
    plan = _plan(Path(notebook_dir), only, parameters)
    internal = any(values.get("internal") is True for values in plan.user.values())
    if internal and _is_inside(out_dir, PUBLIC_REPORTS):
        raise PipelineError(
            f"internal=True puts company-level rows on the pages: give --out a folder outside "
            f"{PUBLIC_REPORTS}, which reviewers read"
        )
    clusters = ["", *reference.CLUSTER_IDS] if by_cluster else [""]
    ensure_kernel()
    out_dir.mkdir(parents=True, exist_ok=True)
    with reports_lock(out_dir, wait), _stopping_on_sigterm():
        _remove_debris(out_dir)
        scratch = Path(tempfile.mkdtemp(prefix=".build-data-", dir=out_dir)).resolve()  # notebooks run elsewhere
        builds: dict[str, Path] = {}
        try:
            keep_snapshot(dataset, validated)
            snapshot = scratch / "dataset.pickle"
            try:  # the run's own link: a later run replacing the cached snapshot does not touch it
                os.link(validated, snapshot)
            except OSError:
                save_snapshot(dataset, snapshot)
            code, ref = code_hash(), reference_hash()
            editions = []
            for period in periods:
                build = Path(tempfile.mkdtemp(prefix=f".build-{period}-", dir=out_dir)).resolve()
                build.chmod(0o755)  # mkdtemp makes it private; the published quarter is read by others
                builds[str(period)] = build
                for cluster in clusters:
                    folder = build / "clusters" / cluster if cluster else build
                    folder.mkdir(parents=True, exist_ok=True)
                    target = out_dir / str(period) / "clusters" / cluster if cluster else out_dir / str(period)
                    editions.append(Edition(str(period), cluster, folder, target, _published_manifest(target)))

            def base(edition: Edition) -> dict:
                return {
                    "quarter": edition.quarter,
                    "data_dir": str(data_dir),
                    "seed": seed,
                    "snapshot": str(snapshot),
                    "output_dir": str(edition.build.resolve()),
                    "page_results": str(edition.build.resolve() / PAGE_RESULTS_FILE),
                }

            def key_of(results: str) -> KeyOf:
                return lambda nb, params, reads, navigation: PageKey.of(
                    nb, params, reads, dataset.files, ref, code, results, navigation
                )

            pages = [nb for nb in plan.notebooks if nb not in plan.summaries]
            with executor or LocalProcesses(workers) as runner:
                for stage in ("pages", "summaries"):
                    jobs: dict[str, tuple[Edition, Job, str]] = {}
                    for edition in editions:
                        if stage == "pages":
                            if only and edition.previous is not None:  # pages not named stay as published
                                for kept in edition.previous.notebooks:
                                    if kept.name not in {nb.stem for nb in plan.notebooks}:
                                        edition.carry_over(kept, "not named by --only")
                            todo, results = pages, ""
                        else:
                            read = list(edition.pages.values())
                            _write_page_results(edition.build / PAGE_RESULTS_FILE, edition.quarter, read)
                            todo, results = plan.summaries, results_hash(read)
                        for job in _jobs_for(edition, todo, plan, base(edition), key_of(results), force, bool(only)):
                            jobs[job.id] = (edition, job, results)
                    built = runner.run([job for _, job, _ in jobs.values()], timeout, progress)
                    for (edition, job, results), page in zip(jobs.values(), built, strict=True):
                        reads = page.reads if page.status == "ok" else None  # a failed page is built again
                        key = key_of(results)(job.source, job.parameters, reads, job.navigation)
                        edition.pages[page.name] = replace(page, key=key.as_dict())
            names = [c for c in clusters if c]
            manifests = {
                (e.quarter, e.cluster): _finish(e, plan, base(e), started, dataset, internal, out_dir, names)
                for e in editions
            }
            for edition in editions:
                (edition.build / PAGE_RESULTS_FILE).unlink(missing_ok=True)
            for period in periods:
                publish(builds[str(period)], out_dir / str(period))
        finally:
            for leftover in [scratch, *builds.values()]:
                if leftover.exists():
                    shutil.rmtree(leftover, ignore_errors=True)
        write_atomically(out_dir / "index.html", overall_index(out_dir))
    return [
        RunResult(
            quarter=str(period),
            folder=out_dir / str(period),
            notebooks=manifests[(str(period), "")].notebooks,
            warnings=dataset.warnings,
            editions={c: manifests[(str(period), c)].notebooks for c in names},
        )
        for period in periods
    ]


def build_reports(*, quarter: str | None = None, **options: Any) -> RunResult:
    """Build and publish one quarter (:func:`build_quarters`)."""
    return build_quarters(quarter=quarter, all_quarters=False, **options)[0]
