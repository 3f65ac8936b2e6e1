"""The manifest of a published quarter: what was built, from which inputs, by which code.

``reports/<quarter>/manifest.json`` holds one :class:`Manifest`; the indexes
are drawn from the manifests alone.
"""

from __future__ import annotations

import functools
import hashlib
import json
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lasergo.data.reference import REFERENCE_DIR
from lasergo.errors import ParameterError
from lasergo.pages.common import Headline
from lasergo.quarter import parse_quarter

MANIFEST_FILE = "manifest.json"


@dataclass
class NotebookResult:
    """The outcome of one notebook: its page, whether it ran, its headline figures and the results
    it recorded for other pages (:func:`lasergo.pages.common.record_result`)."""

    name: str
    title: str
    status: str  # "ok" or "failed"
    seconds: float
    error: str | None = None
    headlines: list[Headline] = field(default_factory=list)
    built: str = ""  # when the page was last built, UTC ISO 8601
    parameters: dict = field(default_factory=dict)  # the parameters it was built with
    results: dict = field(default_factory=dict)  # key -> JSON value, for the summary pages
    reads: list[str] = field(default_factory=list)  # the input tables the page read
    key: dict = field(default_factory=dict)  # what the page was built from (lasergo.pipeline.cache)
    outcome: str = "built"  # "built" in this run, or "reused" from the published quarter
    reason: str = ""  # why it was built, or why it could be reused

    @property
    def html(self) -> str:
        return f"{self.name}.html"

    @classmethod
    def from_dict(cls, data: dict) -> NotebookResult:
        return cls(**{**data, "headlines": [Headline(**h) for h in data.get("headlines", [])]})


@dataclass
class Manifest:
    """One published quarter: parameters of the latest run, SHA-256 of every input file, package
    version and git commit, start and end time (UTC, ISO 8601) and one :class:`NotebookResult`
    per page (a page kept from an earlier run by ``--only`` keeps its own build time)."""

    quarter: str
    data_dir: str
    synthetic: bool
    parameters: dict
    inputs: dict[str, str]
    package_version: str
    git_commit: str | None
    started: str
    finished: str
    notebooks: list[NotebookResult]
    internal: bool = False  # company-level pages, for the partnership's own use only
    cluster: str = ""  # one cluster's edition (in <quarter>/clusters/<cluster>/); empty: the partnership's

    @property
    def data_name(self) -> str:
        """The data folder's name, without the server path."""
        return Path(self.data_dir).name

    @property
    def failed(self) -> list[str]:
        return [nb.name for nb in self.notebooks if nb.status != "ok"]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str)

    @classmethod
    def from_dict(cls, data: dict) -> Manifest:
        return cls(**{**data, "notebooks": [NotebookResult.from_dict(nb) for nb in data["notebooks"]]})

    def headline(self, notebook: str, label: str) -> Headline | None:
        """The headline ``label`` of ``notebook`` in this quarter, if it was shown."""
        for nb in self.notebooks:
            if nb.name == notebook:
                return next((h for h in nb.headlines if h.label == label), None)
        return None


def sha256(path: Path) -> str:
    """The file's SHA-256, computed once per run for a file whose size and modification time stay."""
    stat = path.stat()
    return _sha256(path.resolve(), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=4096)
def _sha256(path: Path, size: int, modified: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_hashes(files: dict[str, Path]) -> dict[str, str]:
    """SHA-256 of every input file and every reference table the reports read."""
    hashes = {str(path): sha256(path) for path in files.values()}
    hashes.update({f"reference/{p.name}": sha256(p) for p in sorted(REFERENCE_DIR.glob("*.csv"))})
    return hashes


def git_commit(project_dir: Path) -> str | None:
    """The workbook's git commit, with ``-dirty`` when tracked files have changed."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=project_dir, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=project_dir,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("-dirty" if dirty else "")


def published_manifests(out_dir: Path) -> list[Manifest]:
    """The manifests of the published quarters (``out_dir/2026Q4/manifest.json``), oldest first."""
    found = []
    for path in out_dir.glob(f"*/{MANIFEST_FILE}"):
        try:
            parse_quarter(path.parent.name)
        except ParameterError:
            continue  # a build in progress or another folder
        found.append(Manifest.from_dict(json.loads(path.read_text(encoding="utf-8"))))
    return sorted(found, key=lambda m: m.quarter)


def previous_manifest(out_dir: Path, quarter: str, cluster: str = "") -> Manifest | None:
    """The newest published quarter before ``quarter`` (of the same cluster's edition, if any)."""
    earlier = [m for m in published_manifests(out_dir) if m.quarter < quarter]
    if not earlier or not cluster:
        return earlier[-1] if earlier else None
    path = out_dir / earlier[-1].quarter / "clusters" / cluster / MANIFEST_FILE
    return Manifest.from_dict(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else None
