"""Whole report runs measured side by side (``make bench BENCH=pipeline``): each pair runs in turn,
A B A B ..., and the medians and their ratio are printed beside the target.

- cold ``lasergo report`` against the way by hand (``papermill`` then ``jupyter nbconvert
  --to html --no-input``, one notebook after another): target at least 2.5 times faster;
- a re-run with nothing changed against a cold run: target under 10%;
- one notebook edited: the run less that page's own time: target under 3 s;
- ``--by cluster`` (seven editions) against the partnership's edition alone: target under 3 times;
- the whole report on `sample-data --companies 24000` (48,000 SMEs): target under 180 s and 4 GB.
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nbformat

from lasergo.cli import DEFAULT_DATA
from lasergo.pipeline.notebooks import NOTEBOOK_DIR

BIN = Path(sys.executable).parent
QUARTER = "2026Q3"


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def _report(out: Path, *options: str, data: Path = DEFAULT_DATA, notebooks: Path = NOTEBOOK_DIR) -> list[str]:
    return [
        str(BIN / "lasergo"),
        "report",
        "--data",
        str(data),
        "--out",
        str(out),
        "--quarter",
        QUARTER,
        "--notebooks",
        str(notebooks),
        *options,
    ]


def by_hand(out: Path) -> float:
    """Every notebook with papermill, then nbconvert, one after another, as a researcher would."""
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    for notebook in sorted(NOTEBOOK_DIR.glob("*.ipynb")):
        executed = out / notebook.name
        subprocess.run(
            [
                str(BIN / "papermill"),
                str(notebook),
                str(executed),
                "-p",
                "quarter",
                QUARTER,
                "--cwd",
                str(NOTEBOOK_DIR),
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - started


def pair(name: str, a: Callable[[int], float], b: Callable[[int], float], runs: int) -> tuple[float, float]:
    """Medians of ``a`` and ``b`` run in turn ``runs`` times each (the argument is the run's number)."""
    times_a, times_b = [], []
    for k in range(runs):
        times_a.append(a(k))
        times_b.append(b(k))
    median_a, median_b = statistics.median(times_a), statistics.median(times_b)
    print(f"{name}: {median_a:.1f} s against {median_b:.1f} s (medians of {runs})", flush=True)
    return median_a, median_b


def main(runs: int = 3) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)

        def cold(k: int) -> float:  # a new reports folder each time: nothing cached, whichever pair asks
            return _seconds(_report(Path(tempfile.mkdtemp(prefix="cold-", dir=root))))

        lasergo, hand = pair("cold lasergo report vs by hand", cold, lambda k: by_hand(root / f"hand-{k}"), runs)
        print(f"    by hand / lasergo report = {hand / lasergo:.2f} (target at least 2.5)")

        warm = root / "warm"
        subprocess.run(_report(warm), check=True, capture_output=True)
        rerun, cold_again = pair("re-run with nothing changed vs cold", lambda k: _seconds(_report(warm)), cold, runs)
        print(f"    re-run / cold = {rerun / cold_again:.3f} (target under 0.10)")

        edited_dir = root / "notebooks"
        shutil.copytree(NOTEBOOK_DIR, edited_dir)
        edited_out = root / "edited"
        subprocess.run(_report(edited_out, notebooks=edited_dir), check=True, capture_output=True)
        overheads = []
        for k in range(runs):
            page = nbformat.read(edited_dir / "01_swot.ipynb", as_version=4)
            page.cells.append(nbformat.v4.new_markdown_cell(f"Edit {k}."))
            nbformat.write(page, edited_dir / "01_swot.ipynb")
            total = _seconds(_report(edited_out, notebooks=edited_dir))
            pages = json.loads((edited_out / QUARTER / "manifest.json").read_text())["notebooks"]
            built = [nb for nb in pages if nb["outcome"] == "built"]
            overheads.append(total - sum(nb["seconds"] for nb in built))
            names = ", ".join(nb["name"] for nb in built)
        print(
            f"one notebook edited: rebuilt {names}; run less the pages' own time {statistics.median(overheads):.1f} s"
        )
        print("    (target under 3 s)")

        by_cluster, alone = pair(
            "--by cluster (7 editions) vs the partnership's edition",
            lambda k: _seconds(_report(root / f"clusters-{k}", "--by", "cluster")),
            cold,
            runs,
        )
        print(f"    --by cluster / partnership = {by_cluster / alone:.2f} (target under 3)")

        big = root / "big"
        subprocess.run([str(BIN / "lasergo"), "sample-data", "--companies", "24000", "--out", str(big)], check=True)
        seconds = _seconds(_report(root / "big-reports", data=big))
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"whole report, sample-data --companies 24000 (48,000 SMEs): {seconds:.0f} s (target under 180)")
        print(f"    largest process {peak_mb:.0f} MB (target under 4,000)")


if __name__ == "__main__":
    main()
