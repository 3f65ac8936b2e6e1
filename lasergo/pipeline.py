"""Run the notebooks for a quarter (Papermill), render them to HTML (nbconvert), publish.

A quarter is built in a hidden temporary folder beside ``reports/<quarter>``
and swapped in only when every page is written, so an interrupted or failed
run leaves the published reports as they were. A notebook that raises does
not stop the others: it is published as its executed notebook plus a page
that shows the failing cell, and the run ends with a non-zero status.
"""

from __future__ import annotations

import hashlib
import html
import json
import multiprocessing
import os
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import papermill
from jinja2 import Environment, FileSystemLoader, select_autoescape
from nbconvert import HTMLExporter
from tqdm import tqdm

import lasergo
from lasergo.io import load_data
from lasergo.reference import REFERENCE_DIR
from lasergo.report import HEADLINE_MIME, Headline, parse_quarter, report_quarter

PROJECT_DIR = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = PROJECT_DIR / "notebooks"
PUBLIC_REPORTS = PROJECT_DIR / "reports"  # what reviewers read: never pages with company names
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
BASE_PARAMETERS = ("quarter", "data_dir", "seed")
# Set by the pipeline, not by the user: the quarter's folder, where a notebook may write files
# (such as CSV exports) that are published beside its page.
OUTPUT_PARAMETER = "output_dir"


class PipelineError(Exception):
    """The run cannot start (bad parameter, no notebooks); nothing has been written."""


@dataclass
class NotebookResult:
    """The outcome of one notebook: where its pages are, whether it ran, its headline figures."""

    name: str
    title: str
    status: str  # "ok" or "failed"
    seconds: float
    error: str | None = None
    headlines: list[Headline] = field(default_factory=list)

    @property
    def html(self) -> str:
        return f"{self.name}.html"


@dataclass
class RunResult:
    """A finished quarter build: its folder and one result per notebook."""

    quarter: str
    folder: Path
    notebooks: list[NotebookResult]

    @property
    def ok(self) -> bool:
        return all(nb.status == "ok" for nb in self.notebooks)


def discover_notebooks(directory: Path, only: list[str] | None = None) -> list[Path]:
    """The report notebooks of ``directory`` in file-name order, optionally only the named ones."""
    notebooks = sorted(p for p in directory.glob("*.ipynb") if not p.name.startswith("."))
    if only:
        wanted = {name.removesuffix(".ipynb") for name in only}
        unknown = wanted - {p.stem for p in notebooks}
        if unknown:
            raise PipelineError(f"no notebook named {', '.join(sorted(unknown))} in {directory} "
                                f"(have: {', '.join(p.stem for p in notebooks)})")
        notebooks = [p for p in notebooks if p.stem in wanted]
    if not notebooks:
        raise PipelineError(f"no notebooks in {directory}")
    return notebooks


def declared_parameters(notebook: Path) -> set[str]:
    """Names assigned in the notebook's cell tagged ``parameters`` (Papermill's contract)."""
    try:
        return set(papermill.inspect_notebook(str(notebook)))
    except ValueError as err:  # e.g. no kernelspec in the notebook's metadata
        raise PipelineError(f"{notebook}: {err}") from None


def parameters_per_notebook(notebooks: list[Path], parameters: dict) -> dict[Path, dict]:
    """The parameters each notebook declares; an undeclared one is an error before anything runs."""
    declared = {nb: declared_parameters(nb) for nb in notebooks}
    everywhere = set().union(*declared.values())
    unknown = sorted(set(parameters) - everywhere - set(BASE_PARAMETERS))
    if OUTPUT_PARAMETER in parameters:
        raise PipelineError(f"parameter {OUTPUT_PARAMETER} is set by the pipeline (the quarter's folder)")
    if unknown:
        raise PipelineError(f"parameter {', '.join(unknown)} is declared by no notebook "
                            f"(declared: {', '.join(sorted(everywhere))})")
    return {nb: {k: v for k, v in parameters.items() if k in names} for nb, names in declared.items()}


def headlines_of(notebook: nbformat.NotebookNode) -> list[Headline]:
    """The headline figures a notebook displayed with :func:`lasergo.report.headline`."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if HEADLINE_MIME in data:
                found.append(Headline(**data[HEADLINE_MIME]))
    return found


def title_of(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The first Markdown heading of the notebook."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def render_html(notebook: nbformat.NotebookNode, quarter: str, show_code: bool) -> str:
    """Self-contained HTML: code hidden (unless asked), images embedded, no other host contacted."""
    exporter = HTMLExporter(template_name="lasergo_report", extra_template_basedirs=[str(TEMPLATE_DIR)],
                            exclude_input=not show_code, exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True)
    body, _ = exporter.from_notebook_node(notebook, resources={"lasergo_quarter": quarter})
    return body


def run_notebook(source: Path, folder: Path, parameters: dict, quarter: str) -> NotebookResult:
    """Execute one notebook into ``folder`` and write its page; failures become a failure page."""
    started = time.monotonic()
    executed = folder / source.name
    error = None
    if OUTPUT_PARAMETER in declared_parameters(source):
        parameters = {**parameters, OUTPUT_PARAMETER: str(folder.resolve())}  # notebooks run in their own folder
    try:
        papermill.execute_notebook(str(source), str(executed), parameters=parameters,
                                   kernel_name="python3", progress_bar=False, cwd=str(source.parent),
                                   extra_arguments=["--IPKernelApp.log_level=ERROR"])
    except Exception as err:  # the notebook's own failure: recorded, the run goes on
        error = f"{type(err).__name__}: {err}".strip().splitlines()[0][:500] if str(err) else type(err).__name__
        if isinstance(err, papermill.PapermillExecutionError):
            error = f"{err.ename}: {err.evalue}"[:500]
    notebook = nbformat.read(executed, as_version=4) if executed.exists() else nbformat.read(source, as_version=4)
    title = title_of(notebook, source.stem)
    (folder / f"{source.stem}.html").write_text(
        render_html(notebook, quarter, show_code=error is not None), encoding="utf-8")
    if error is None:
        executed.unlink()  # reviewers get the HTML; the executed notebook is kept only on failure
    return NotebookResult(name=source.stem, title=title, status="ok" if error is None else "failed",
                          seconds=round(time.monotonic() - started, 2), error=error,
                          headlines=headlines_of(notebook) if error is None else [])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def git_commit() -> str | None:
    """The workbook's git commit, with ``-dirty`` when tracked files have changed."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_DIR, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_DIR,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("-dirty" if dirty else "")


def input_hashes(files: dict[str, Path]) -> dict[str, str]:
    """SHA-256 of every input file and every reference table the reports read."""
    hashes = {str(path): sha256(path) for path in files.values()}
    hashes.update({f"reference/{p.name}": sha256(p) for p in sorted(REFERENCE_DIR.glob("*.csv"))})
    return hashes


def _render_page(title: str, body: str) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=select_autoescape())
    return env.get_template("index.html.j2").render(title=title, body=body)


def published_manifests(out_dir: Path) -> list[dict]:
    """The manifests of the published quarters (``out_dir/2026Q4/manifest.json``), oldest first."""
    found = []
    for path in out_dir.glob("*/manifest.json"):
        try:
            parse_quarter(path.parent.name)
        except ValueError:
            continue  # a build in progress or another folder
        found.append(json.loads(path.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m["quarter"])


def _previous_manifest(out_dir: Path, quarter: str) -> dict | None:
    earlier = [m for m in published_manifests(out_dir) if m["quarter"] < quarter]
    return earlier[-1] if earlier else None


def _delta_text(headline: Headline, previous: dict | None, notebook: str) -> str:
    if previous is None or not isinstance(headline.value, (int, float)):
        return ""
    for nb in previous.get("notebooks", []):
        if nb["name"] != notebook:
            continue
        for old in nb.get("headlines", []):
            if old["label"] == headline.label and isinstance(old["value"], (int, float)):
                change = headline.value - old["value"]
                text = f"{change:+,}" if isinstance(change, int) else f"{change:+,.1f}"
                return f" <span class='delta'>({text} since {previous['quarter']})</span>"
    return ""


def quarter_index(manifest: dict, previous: dict | None) -> str:
    """The quarter's index page: each notebook's status, link and headline figures."""
    esc = html.escape
    parts = [f"<h1>LASER-GO workbook: {esc(manifest['quarter'])}</h1>",
             f"<p class='sub'>Built {esc(manifest['finished'])} from <code>{esc(manifest['data_dir'])}</code>"
             f" &middot; <a href='../index.html'>all quarters</a></p>"]
    if manifest.get("synthetic"):
        parts.append("<div class='banner'><b>Synthetic sample data.</b> The companies, surveys and KPI "
                     "entries behind these pages are generated for demonstration; roadmap facts and "
                     "public figures are real and cited on each page.</div>")
    parts.append("<table><tr><th>Report</th><th>Status</th><th>Headline figures</th></tr>")
    for nb in manifest["notebooks"]:
        items = "".join(
            f"<li>{esc(h['label'])}: <b>{esc(Headline(**h).formatted())}</b>"
            f"{_delta_text(Headline(**h), previous, nb['name'])}"
            + (f" <span class='source'>({esc(h['source'])})</span>" if h["source"] else "") + "</li>"
            for h in nb["headlines"])
        status = ("<span class='ok'>ok</span>" if nb["status"] == "ok"
                  else f"<span class='failed'>failed</span><br><small>{esc(nb['error'] or '')}</small>")
        parts.append(f"<tr><td><a href='{esc(nb['name'])}.html'>{esc(nb['title'])}</a></td>"
                     f"<td>{status}</td><td><ul>{items}</ul></td></tr>")
    parts.append("</table>")
    return _render_page(f"LASER-GO {manifest['quarter']}", "\n".join(parts))


def overall_index(out_dir: Path) -> str:
    """The index over every published quarter, newest first."""
    esc = html.escape
    manifests = published_manifests(out_dir)[::-1]
    rows = []
    for m in manifests:
        failed = [nb["name"] for nb in m["notebooks"] if nb["status"] != "ok"]
        status = ("<span class='ok'>all ok</span>" if not failed
                  else f"<span class='failed'>failed: {esc(', '.join(failed))}</span>")
        links = ", ".join(f"<a href='{esc(m['quarter'])}/{esc(nb['name'])}.html'>{esc(nb['title'])}</a>"
                          for nb in m["notebooks"])
        label = " (synthetic sample)" if m.get("synthetic") else ""
        rows.append(f"<tr><td><a href='{esc(m['quarter'])}/index.html'>{esc(m['quarter'])}</a>{label}</td>"
                    f"<td>{status}</td><td>{links}</td><td>{esc(m['finished'])}</td></tr>")
    body = ("<h1>LASER-GO workbook: quarterly reports</h1>"
            "<p class='sub'>Research and reporting for the LASER-GO photonics-for-health cluster "
            "partnership (roadmap: LASER-GO D5.1, 2017).</p>"
            "<table><tr><th>Quarter</th><th>Status</th><th>Reports</th><th>Built</th></tr>"
            + "".join(rows) + "</table>")
    return _render_page("LASER-GO workbook", body)


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def publish(build: Path, target: Path) -> None:
    """Swap the finished build folder in for ``target``, keeping the old one until the swap."""
    old = None
    if target.exists():
        old = target.with_name(f".old-{target.name}-{os.getpid()}")
        os.replace(target, old)
    os.replace(build, target)
    if old is not None:
        shutil.rmtree(old)


def build_reports(*, data_dir: Path, out_dir: Path, quarter: str | None = None,
                  notebook_dir: Path = NOTEBOOK_DIR, only: list[str] | None = None,
                  parameters: dict | None = None, seed: int = 1, workers: int | None = None,
                  progress: bool = True) -> RunResult:
    """Execute and render every notebook for ``quarter`` and publish ``out_dir/<quarter>``.

    Raises InputError (bad data) or PipelineError (bad request) before anything is written.
    """
    started = datetime.now(timezone.utc)
    if (parameters or {}).get("internal") and Path(out_dir).resolve() == PUBLIC_REPORTS:
        raise PipelineError(f"internal=True puts company names on the pages: give --out a folder outside "
                            f"{PUBLIC_REPORTS}, which reviewers read")
    data_dir = Path(data_dir).resolve()
    dataset = load_data(data_dir)
    try:
        period = report_quarter(dataset, quarter)
    except ValueError as err:
        raise PipelineError(str(err)) from None
    notebooks = discover_notebooks(Path(notebook_dir), only)
    wanted = {"quarter": str(period), "data_dir": str(data_dir), "seed": seed, **(parameters or {})}
    per_notebook = parameters_per_notebook(notebooks, wanted)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".build-{period}-", dir=out_dir))
    build.chmod(0o755)  # mkdtemp makes it private; the published quarter is read by others
    try:
        results = _execute_all(notebooks, per_notebook, build, str(period), workers, progress)
        manifest = {
            "quarter": str(period),
            "data_dir": str(data_dir),
            "synthetic": dataset.synthetic,
            "parameters": wanted,
            "inputs": input_hashes(dataset.files),
            "package_version": lasergo.__version__,
            "git_commit": git_commit(),
            "started": started.isoformat(timespec="seconds"),
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "notebooks": [asdict(r) for r in results],
        }
        (build / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        (build / "index.html").write_text(quarter_index(manifest, _previous_manifest(out_dir, str(period))),
                                          encoding="utf-8")
        publish(build, out_dir / str(period))
    finally:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)
    write_atomically(out_dir / "index.html", overall_index(out_dir))
    return RunResult(quarter=str(period), folder=out_dir / str(period), notebooks=results)


def _execute_all(notebooks: list[Path], per_notebook: dict[Path, dict], build: Path, quarter: str,
                 workers: int | None, progress: bool) -> list[NotebookResult]:
    """Run the notebooks in parallel worker processes, with a progress bar of notebooks done."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(notebooks)))
    results: dict[str, NotebookResult] = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool, \
            tqdm(total=len(notebooks), desc=f"{quarter} notebooks", unit="nb", disable=not progress) as bar:
        futures = {pool.submit(run_notebook, nb, build, per_notebook[nb], quarter): nb for nb in notebooks}
        for future in as_completed(futures):
            result = future.result()
            results[result.name] = result
            bar.set_postfix_str(f"{result.name}: {result.status}")
            bar.update()
    return [results[nb.stem] for nb in notebooks]
