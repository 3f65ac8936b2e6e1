"""The kept kernel: notebooks run one after another in one kernel give the same pages as in any other
order, see nothing of the notebook before them, and a notebook that fails or runs too long takes its
kernel with it."""

import asyncio
import queue
import re
from pathlib import Path

import nbformat
import pytest

from lasergo.data.dataset import load_data, save_snapshot
from lasergo.errors import PipelineError
from lasergo.pipeline.jobs import KERNEL_ARGUMENTS, Job, run_notebook
from lasergo.pipeline.kernels import WarmKernel, _output_connected
from lasergo.pipeline.notebooks import KERNEL_NAME
from tests.conftest import SAMPLE

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.fixture
def kernel():
    kept = WarmKernel(KERNEL_NAME, KERNEL_ARGUMENTS)
    yield kept
    kept.close()


def _notebook(folder: Path, name: str, *cells: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(code) for code in cells]
    notebook.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": KERNEL_NAME, "language": "python"}
    path = folder / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


def _page_text(folder: Path, name: str) -> str:
    """The page without the parts that differ from run to run by design: the time it was built and
    the id Papermill gives the parameters cell it injects."""
    text = (folder / f"{name}.html").read_text()
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^\"<\s]*", "TIME", text)
    return re.sub(r"cell-id=[0-9a-f-]+", "cell-id", text)


def test_every_page_is_the_same_in_either_order_in_one_kernel(tmp_path, kernel):
    snapshot = tmp_path / "dataset.pickle"
    save_snapshot(load_data(SAMPLE), snapshot)
    pages = sorted(p for p in NOTEBOOKS.glob("0[0-8]_*.ipynb"))  # 09 reads the others' results
    texts, recorded = {}, {}
    for order, notebooks in (("forward", pages), ("backward", pages[::-1])):
        folder = tmp_path / order
        folder.mkdir()
        for notebook in notebooks:
            job = Job(notebook, {"quarter": "2026Q2", "snapshot": str(snapshot)}, folder, "2026Q2")
            result = run_notebook(job, 600, kernel)
            assert result.status == "ok", (notebook.name, result.error)
            recorded[order, notebook.stem] = (result.reads, result.results, result.headlines)
        texts[order] = {notebook.stem: _page_text(folder, notebook.stem) for notebook in pages}
    for notebook in pages:
        assert texts["forward"][notebook.stem] == texts["backward"][notebook.stem], notebook.stem
        # what the pipeline reads from a page (the tables it read, for the cache; its results and
        # headlines, for the index) does not depend on the pages run before it either
        assert recorded["forward", notebook.stem] == recorded["backward", notebook.stem], notebook.stem
        assert recorded["forward", notebook.stem][0], f"{notebook.stem} recorded no table it read"


def test_a_notebook_sees_nothing_of_the_one_before(tmp_path, kernel):
    first, second, out = tmp_path / "first", tmp_path / "second", tmp_path / "out"
    for folder in (first, second, out):
        folder.mkdir()
    leaves = _notebook(
        first, "leaves", "import matplotlib.pyplot as plt\nleft_behind = 1\nfigure = plt.figure()\nopen_figures = 1"
    )
    checks = _notebook(
        second,
        "checks",
        "import os, matplotlib.pyplot as plt\n"
        "assert 'left_behind' not in globals(), 'a name of the notebook before'\n"
        "assert not plt.get_fignums(), 'a figure of the notebook before'\n"
        f"assert os.getcwd() == {str(second)!r}, os.getcwd()\n"
        "assert len(In) == 2, In  # the history holds this cell only, as in a new kernel",
    )
    assert run_notebook(Job(leaves, {}, out, "2026Q2"), 60, kernel).status == "ok"
    pid = kernel.manager.provisioner.process.pid
    result = run_notebook(Job(checks, {}, out, "2026Q2"), 60, kernel)
    assert result.status == "ok", result.error
    assert kernel.manager.provisioner.process.pid == pid  # the same kernel ran both


@pytest.mark.parametrize(
    ("code", "timeout", "error"),
    [("raise ValueError('planted')", 60, "ValueError: planted"), ("import time\ntime.sleep(30)", 2, "Timeout")],
)
def test_a_failed_notebook_takes_its_kernel_with_it(tmp_path, kernel, code, timeout, error):
    fails = _notebook(tmp_path, "fails", code)
    works = _notebook(tmp_path, "works", "x = 1")
    out = tmp_path / "out"
    out.mkdir()
    assert run_notebook(Job(works, {}, out, "2026Q2"), 60, kernel).status == "ok"
    pid = kernel.manager.provisioner.process.pid
    result = run_notebook(Job(fails, {}, out, "2026Q2"), timeout, kernel)
    assert result.status == "failed" and error in result.error
    assert kernel.manager is None  # stopped with the notebook
    assert run_notebook(Job(works, {}, out, "2026Q2"), 60, kernel).status == "ok"
    assert kernel.manager.provisioner.process.pid != pid  # a new kernel


class _Client:
    """A kernel client whose output channel misses the first ``missed`` requests' messages (a late
    subscriber), or every request's if ``missed`` is None."""

    def __init__(self, missed: int | None):
        self.missed, self.sent, self.outbox = missed, 0, []

    def kernel_info(self) -> str:
        self.sent += 1
        request = f"request-{self.sent}"
        if self.missed is not None and self.sent > self.missed:
            self.outbox += [
                {"parent_header": {"msg_id": request}, "msg_type": "status", "content": {"execution_state": s}}
                for s in ("busy", "idle")
            ]
        return request

    async def get_shell_msg(self, timeout: float) -> dict:
        return {"msg_type": "kernel_info_reply"}

    async def get_iopub_msg(self, timeout: float) -> dict:
        if not self.outbox:
            raise queue.Empty
        return self.outbox.pop(0)


def test_a_notebook_client_asks_again_until_the_kernels_output_reaches_it():
    late = _Client(missed=2)
    asyncio.run(_output_connected(late, timeout=10))
    assert late.sent == 3
    with pytest.raises(PipelineError, match="did not reach the pipeline"):
        asyncio.run(_output_connected(_Client(missed=None), timeout=0.5))
