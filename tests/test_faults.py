"""A run under faults and careless requests: parameters, partial rebuilds, signals, time limits,
a second run, bad quarters. Each leaves the published quarter as it was, or says why not."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from lasergo.cli import main
from lasergo.errors import ParameterError, PipelineError
from lasergo.pipeline.lock import LOCK_FILE, reports_lock
from lasergo.pipeline.run import build_reports
from tests.conftest import PROJECT, SAMPLE

KERNEL = {"kernelspec": {"name": "lasergo", "display_name": "LASER-GO workbook", "language": "python"}}
PARAMETERS = "quarter = None\ndata_dir = None\nseed = 1\nn_draws = 100\nlabel = 'draft'\nsince = '2024-01-01'"


def notebook(title: str, *cells: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(
        metadata=KERNEL,
        cells=[
            nbformat.v4.new_markdown_cell(f"# {title}"),
            nbformat.v4.new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
            *[nbformat.v4.new_code_cell(c) for c in cells],
        ],
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def published(tmp_path) -> tuple[Path, Path]:
    """A notebooks folder with two pages (one exports a CSV) and a published 2026Q3."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nbformat.write(notebook("First", "print(n_draws)"), notebooks / "10_first.ipynb")
    export = "from pathlib import Path\nPath(output_dir, '20_second_export.csv').write_text('a\\n1\\n')"
    nbformat.write(notebook("Second", export), notebooks / "20_second.ipynb")
    second = nbformat.read(notebooks / "20_second.ipynb", as_version=4)
    second.cells[1].source += "\noutput_dir = None"
    nbformat.write(second, notebooks / "20_second.ipynb")
    out = tmp_path / "reports"
    result = build_reports(data_dir=SAMPLE, out_dir=out, quarter="2026Q3", notebook_dir=notebooks, progress=False)
    assert result.ok and (out / "2026Q3" / "20_second_export.csv").is_file()
    return notebooks, out


def report_arguments(notebooks: Path, out: Path, *extra: str) -> list[str]:
    """``lasergo report`` for 2026Q3 of the sample into ``out`` with these notebooks."""
    return [
        "report",
        "--data",
        str(SAMPLE),
        "--out",
        str(out),
        "--quarter",
        "2026Q3",
        "--notebooks",
        str(notebooks),
        *extra,
    ]


def report(notebooks: Path, out: Path, *extra: str) -> int:
    return main(report_arguments(notebooks, out, *extra))


@pytest.mark.parametrize(
    "parameter, message",
    [
        ("n_draws=(1,2)", "parameter n_draws: expected a whole number"),
        ("n_draws=b'x'", "parameter n_draws: expected a whole number"),
        ("n_draws=abc", "parameter n_draws: expected a whole number"),
        ("n_draws=1.5", "parameter n_draws: expected a whole number"),
        ("since=next year", "parameter since: expected a date YYYY-MM-DD"),
        ("quarter=2024Q2", "parameter quarter cannot be set with -p: use --quarter"),
        ("data_dir=/tmp", "parameter data_dir cannot be set with -p: use --data"),
        ("seed=3", "parameter seed cannot be set with -p: use --seed"),
        ("output_dir=/tmp", "parameter output_dir cannot be set with -p"),
        ("nothing=1", "parameter nothing is declared by no notebook"),
    ],
)
def test_bad_parameters_stop_before_any_kernel_and_keep_the_quarter(published, capsys, parameter, message):
    notebooks, out = published
    before = snapshot(out)
    assert report(notebooks, out, "-p", parameter) == 2
    assert message in capsys.readouterr().err
    assert snapshot(out) == before


def test_parameters_reach_the_notebook_as_plain_values(published):
    notebooks, out = published
    cell = "assert (n_draws, label, since) == (250, 'a \"quoted\" \\\\ label', '2025-03-01'), (n_draws, label, since)"
    nbformat.write(notebook("Checks", cell), notebooks / "30_checks.ipynb")
    assert (
        report(
            notebooks,
            out,
            "--only",
            "30_checks",
            "-p",
            "n_draws=250",
            "-p",
            'label=a "quoted" \\ label',
            "-p",
            "since=2025-03-01",
        )
        == 0
    )


def test_only_rebuilds_the_named_page_and_keeps_the_rest(published):
    notebooks, out = published
    quarter = out / "2026Q3"
    before = json.loads((quarter / "manifest.json").read_text())
    kept = {name: (quarter / name).read_bytes() for name in ("20_second.html", "20_second_export.csv")}
    time.sleep(1.1)
    assert report(notebooks, out, "--only", "10_first") == 0
    after = json.loads((quarter / "manifest.json").read_text())
    assert [nb["name"] for nb in after["notebooks"]] == ["10_first", "20_second"]
    built = {nb["name"]: nb["built"] for nb in after["notebooks"]}
    assert built["20_second"] == before["notebooks"][1]["built"]
    assert built["10_first"] > before["notebooks"][0]["built"]
    assert {name: (quarter / name).read_bytes() for name in kept} == kept
    assert "all ok" in (out / "index.html").read_text(encoding="utf-8")


def test_stuck_notebook_becomes_a_failure_page_at_its_time_limit(published):
    notebooks, out = published
    nbformat.write(notebook("Stuck", "while True:\n    pass"), notebooks / "30_stuck.ipynb")
    started = time.monotonic()
    assert report(notebooks, out, "--only", "30_stuck", "--timeout", "5") == 1
    assert time.monotonic() - started < 120
    manifest = json.loads((out / "2026Q3" / "manifest.json").read_text())
    stuck = next(nb for nb in manifest["notebooks"] if nb["name"] == "30_stuck")
    assert stuck["status"] == "failed" and "Timeout" in stuck["error"]
    assert (out / "2026Q3" / "10_first.html").is_file()


@pytest.mark.parametrize("stop, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_workers_and_kernels_and_leaves_no_build_folder(published, tmp_path, stop, status):
    notebooks, out = published
    before = snapshot(out / "2026Q3")
    marker = tmp_path / "kernel.pid"
    cell = f"import os, time\nopen({str(marker)!r}, 'w').write(str(os.getpid()))\ntime.sleep(600)"
    nbformat.write(notebook("Slow", cell), notebooks / "30_slow.ipynb")
    run = subprocess.Popen(
        [sys.executable, "-m", "lasergo.cli", *report_arguments(notebooks, out)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not (marker.is_file() and marker.read_text()) and time.monotonic() < deadline:
        time.sleep(0.2)
    kernel = int(marker.read_text())
    run.send_signal(stop)
    assert run.wait(timeout=60) == status
    assert not list(out.glob(".build-*")) and not (out / LOCK_FILE).exists()
    assert snapshot(out / "2026Q3") == before
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(kernel, 0)
        except ProcessLookupError:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"kernel {kernel} still runs after the run was stopped")


def test_debris_of_a_dead_run_is_removed_by_the_next(published):
    notebooks, out = published
    (out / ".build-2026Q3-dead").mkdir()
    (out / ".build-2026Q3-dead" / "10_first.html").write_text("half")
    (out / LOCK_FILE).write_text(json.dumps({"pid": 2**22 + 12345}))  # no such process
    assert report(notebooks, out, "--only", "10_first") == 0
    assert not list(out.glob(".build-*")) and not (out / LOCK_FILE).exists()


def test_second_run_names_the_holder_and_stops_or_waits(published, capsys):
    notebooks, out = published
    with reports_lock(out):
        assert report(notebooks, out, "--only", "10_first") == 2
        assert f"process {os.getpid()}" in capsys.readouterr().err
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3)"])
    (out / LOCK_FILE).write_text(json.dumps({"pid": holder.pid}))
    assert report(notebooks, out, "--only", "10_first", "--wait") == 0
    assert holder.poll() is not None  # the run waited for the holder to end


def test_quarter_before_the_first_record_is_refused(published, capsys):
    notebooks, out = published
    before = snapshot(out)
    assert (
        main(["report", "--data", str(SAMPLE), "--out", str(out), "--quarter", "1990Q1", "--notebooks", str(notebooks)])
        == 2
    )
    assert "1990Q1 ends before the first dated record of sample" in capsys.readouterr().err
    assert snapshot(out) == before


def test_internal_pages_are_refused_anywhere_inside_the_public_folder():
    from lasergo.pipeline.run import PUBLIC_REPORTS

    with pytest.raises(PipelineError, match="outside"):
        build_reports(
            data_dir=SAMPLE,
            out_dir=PUBLIC_REPORTS / "team" / "..",
            parameters={"internal": "true"},
            only=["03_partnership_fit"],
            progress=False,
        )
    with pytest.raises(PipelineError, match="outside"):
        build_reports(
            data_dir=SAMPLE,
            out_dir=PUBLIC_REPORTS / "internal",
            parameters={"internal": True},
            only=["03_partnership_fit"],
            progress=False,
        )


def test_index_shows_the_data_folder_name_not_its_path(published):
    _, out = published
    index = (out / "2026Q3" / "index.html").read_text(encoding="utf-8")
    assert "<code>sample</code>" in index and str(SAMPLE) not in index


def test_parameter_errors_are_parameter_errors():
    from lasergo.pipeline.parameters import checked_value

    with pytest.raises(ParameterError, match="expected true or false"):
        checked_value("internal", "yes please", False)
    assert checked_value("ratio", "0.25", 0.5) == 0.25
    with pytest.raises(ParameterError, match="expected a number"):
        checked_value("ratio", "inf", 0.5)
