"""The executors: Dask distributed (a LocalCluster) gives the same pages as local worker processes
for the same inputs and seed."""

import json
import shutil
from pathlib import Path

import pytest

from lasergo.cli import main
from lasergo.pipeline.executors import DaskDistributed, LocalProcesses, executor_for
from lasergo.pipeline.run import build_reports
from tests.conftest import SAMPLE

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _pages(out: Path) -> dict[str, tuple]:
    manifest = json.loads((out / "2026Q2" / "manifest.json").read_text())
    return {nb["name"]: (nb["status"], nb["headlines"], nb["results"]) for nb in manifest["notebooks"]}


def test_dask_gives_the_same_pages_as_local_processes(tmp_path):
    pytest.importorskip("distributed")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("01_swot", "04_kpi"):  # both draw random numbers from the seed
        shutil.copy(NOTEBOOKS / f"{name}.ipynb", notebooks)
    local = build_reports(
        data_dir=SAMPLE, out_dir=tmp_path / "local", quarter="2026Q2", notebook_dir=notebooks, progress=False
    )
    with DaskDistributed("local", workers=2) as dask:
        distributed = build_reports(
            data_dir=SAMPLE,
            out_dir=tmp_path / "dask",
            quarter="2026Q2",
            notebook_dir=notebooks,
            progress=False,
            executor=dask,
        )
    assert local.ok and distributed.ok
    assert _pages(tmp_path / "local") == _pages(tmp_path / "dask")
    assert _pages(tmp_path / "local")["04_kpi"][1]  # the pages did record headlines


def test_the_executor_follows_the_scheduler_option():
    assert isinstance(executor_for(None, 3), LocalProcesses)
    assert executor_for("local", 2) == DaskDistributed("local", 2)
    assert executor_for("tcp://10.0.0.1:8786", None).scheduler == "tcp://10.0.0.1:8786"


def test_an_unreachable_scheduler_is_a_one_line_error(tmp_path, capsys):
    pytest.importorskip("distributed")
    status = main(["report", "--data", str(SAMPLE), "--out", str(tmp_path), "--scheduler", "tcp://127.0.0.1:9"])
    assert status == 2
    assert "no Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err
    assert not list(tmp_path.glob(".build-*"))  # nothing left behind
