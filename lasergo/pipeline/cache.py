"""When a page of the published quarter can be carried over instead of being built again.

A page is rebuilt when something it was built from changed: the notebook's bytes, its parameters,
the files of the input tables it read (recorded by the page itself, see
:func:`lasergo.pages.common.load_quarter`) and the reference tables, the package's source and the
lock file, the pages beside it (its navigation links name them) and, for a summary page, the results
of the pages it reads. Each of these is hashed
(SHA-256) into the page's :class:`PageKey`, kept in the manifest; the reason for a rebuild names
the first part that differs.

The validated data folder is cached the same way (:func:`validated_data`): a run whose data files,
package and lock file are those of the run before reads the dataset that run validated.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lasergo.data.dataset import Dataset, load_data, load_snapshot, save_snapshot
from lasergo.data.reference import REFERENCE_DIR
from lasergo.pipeline.manifest import NotebookResult, sha256
from lasergo.pipeline.notebooks import PROJECT_DIR

PACKAGE_DIR = PROJECT_DIR / "lasergo"
LOCK_FILE = PROJECT_DIR / "requirements.lock"
#: Parameters that name the run's own temporary files: they differ on every run and shape no page.
RUN_PATHS = ("output_dir", "page_results", "snapshot")


def _digest(parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def code_hash() -> str:
    """One hash of the package's files (source, templates) and the lock file."""
    files = sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return _digest([(str(p.relative_to(PROJECT_DIR)), sha256(p)) for p in [*files, LOCK_FILE] if p.exists()])


def reference_hash() -> str:
    """One hash of the reference tables every page may read."""
    return _digest({p.name: sha256(p) for p in sorted(REFERENCE_DIR.glob("*.csv"))})


def validated_data(data_dir: Path, cache_dir: Path) -> tuple[Dataset, Path]:
    """The dataset of ``data_dir`` and the path of its snapshot in ``cache_dir`` (which the notebooks
    read): the snapshot there if the folder's files, the reference tables, the package and the lock
    file are unchanged since it was written, else :func:`~lasergo.data.dataset.load_data` (which
    raises InputError for bad data); :func:`keep_snapshot` then writes it. Nothing is written here."""
    folder = {str(p.relative_to(data_dir)): sha256(p) for p in sorted(data_dir.rglob("*")) if p.is_file()}
    key = _digest([str(data_dir), folder, reference_hash(), code_hash()])[:20]
    path = cache_dir / f"dataset-{key}.pickle"
    if path.is_file():
        return load_snapshot(path), path
    return load_data(data_dir), path


def keep_snapshot(dataset: Dataset, path: Path) -> None:
    """Write the validated dataset to ``path`` (if it is not there yet) as the only snapshot of its
    folder: whole or not at all. The snapshot is a pickle of the workbook's own making, kept in the
    reports folder."""
    if path.is_file():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob("dataset-*.pickle"):
        old.unlink(missing_ok=True)
    writing = path.with_suffix(".writing")
    save_snapshot(dataset, writing)
    writing.replace(path)


def table_hashes(files: dict[str, Path], tables: list[str]) -> dict[str, str]:
    """The SHA-256 of each input table's file, ``absent`` for a table without one."""
    return {table: sha256(files[table]) if table in files else "absent" for table in tables}


@dataclass(frozen=True)
class PageKey:
    """What a page is built from, part by part (each a SHA-256, the tables one per table)."""

    notebook: str
    parameters: str
    tables: dict[str, str]
    reference: str
    code: str
    results: str = ""  # a summary page: the results of the pages it reads
    navigation: str = ""  # the pages before and after it, which its links name
    tables_known: bool = field(default=True)  # False until the page has been built once

    @classmethod
    def of(
        cls,
        notebook: Path,
        parameters: dict,
        reads: list[str] | None,
        files: dict[str, Path],
        reference: str,
        code: str,
        results: str = "",
        navigation: tuple = (None, None),
    ) -> PageKey:
        """The key of ``notebook`` with ``parameters``, over the tables it ``reads`` (None: not known yet)."""
        shaping = {name: value for name, value in parameters.items() if name not in RUN_PATHS}
        return cls(
            notebook=sha256(notebook),
            parameters=_digest(shaping),
            tables=table_hashes(files, reads or []),
            reference=reference,
            code=code,
            results=results,
            navigation=_digest(navigation),
            tables_known=reads is not None,
        )

    def why_rebuild(self, before: NotebookResult | None) -> str | None:
        """Why the page must be built again, or None when ``before`` (the published page) still holds."""
        if before is None:
            return "new page"
        if before.status != "ok":
            return "failed last time"
        if not before.key:
            return "built before the page cache"
        old = PageKey(**before.key)
        if old.notebook != self.notebook:
            return "notebook changed"
        if old.parameters != self.parameters:
            return "parameters changed"
        changed = sorted(t for t in self.tables if old.tables.get(t) != self.tables[t])
        if changed or not self.tables_known:
            return f"data changed: {', '.join(changed)}" if changed else "tables read not known"
        if old.reference != self.reference:
            return "reference tables changed"
        if old.code != self.code:
            return "package or lock file changed"
        if old.results != self.results:
            return "the results of the pages it reads changed"
        if old.navigation != self.navigation:
            return "the pages beside it changed"
        return None

    def as_dict(self) -> dict:
        return asdict(self)


def results_hash(pages: list[NotebookResult]) -> str:
    """One hash of what a summary page reads: each page's status and recorded results."""
    return _digest([(p.name, p.status, p.results) for p in pages])
