"""A kernel kept warm between notebooks: a worker starts the workbook's kernel once and runs notebook
after notebook in it, so that the kernel's start and the package's imports (about 2.5 s of a
4-second page on the sample) are paid once per worker, not once per page.

Before each notebook the kernel is put back to a clean state: IPython's own reset of a new session
(the user namespace, the output cache and the execution count), every figure closed, the working
folder set to the notebook's. The page modules hold no state of their
own: ``tests/test_kernels.py`` builds every page in one kernel in two orders and compares the pages,
and ``tests/test_executors.py`` compares pages built this way with pages from fresh kernels (Dask).
A notebook that fails or runs past its time limit takes its kernel with it: the next notebook
starts a new one.

Papermill runs the notebook through the engine registered here (``engine_name="lasergo-warm"``):
Papermill's nbclient engine, given the kept kernel's manager, and closing its own client afterwards.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.utils import ensure_async, run_sync
from nbclient.util import run_hook
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from lasergo.errors import PipelineError

ENGINE_NAME = "lasergo-warm"
#: The local workers run one kernel per core: numerical libraries (OpenMP in scikit-learn's k-means,
#: OpenBLAS) start one thread per core in each kernel unless told otherwise, and two kernels' threads
#: then contend (k-means at 48,000 SMEs: 3 s alone, 16-37 s beside a busy kernel).
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

#: The reset before a notebook: the clean-up, then IPython's reset (which also removes the names the
#: clean-up defined, and collects the garbage), then what is left, the modules imported so far, frozen
#: out of the garbage collector's view (``gc.freeze``). The modules stay for the kernel's life, and
#: the next reset's full collection (about 0.1 s over every module) looks at one page's objects only.
_RESET = """\
import os
import matplotlib.pyplot
matplotlib.pyplot.close("all")
os.chdir({folder!r})
get_ipython().reset(new_session=True)
__import__("gc").freeze()
"""


class _WarmNotebookClient(PapermillNotebookClient):
    """Papermill's notebook client, connecting to a kernel known to be ready without waiting for
    jupyter_client's 0.2 s of silence on the output channel (``wait_for_ready``): it waits instead
    for the output of its own ``kernel_info`` request, which proves the output channel connected."""

    async def async_start_new_kernel_client(self) -> Any:
        assert self.km is not None
        self.kc = self.km.client()
        await ensure_async(self.kc.start_channels())
        try:
            await _output_connected(self.kc, self.startup_timeout)
        except Exception:
            await self._async_cleanup_kernel()
            raise
        self.kc.allow_stdin = False
        await run_hook(self.on_notebook_start, notebook=self.nb)
        return self.kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)  # what Papermill's execute calls


async def _output_connected(client: Any, timeout: float) -> None:
    """Ask for the kernel's info until its output channel carries the answer's ``idle`` status: a
    subscriber joining late misses what was sent before it joined, so one request may go unseen."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        request = client.kernel_info()
        try:
            await client.get_shell_msg(timeout=left)
            while True:
                message = await client.get_iopub_msg(timeout=0.2)
                answered = message["parent_header"].get("msg_id") == request and message["msg_type"] == "status"
                if answered and message["content"]["execution_state"] == "idle":
                    return
        except Empty:
            continue
    raise PipelineError(f"the kernel's output did not reach the pipeline within {timeout:.0f} s")


class WarmKernelEngine(NBClientEngine):
    """Papermill's nbclient engine on a kernel that outlives the notebook (``km``, already started)."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        start_timeout: int = 60,
        execution_timeout: int | None = None,
        **kwargs: Any,
    ) -> Any:
        kwargs.pop("input_path", None)
        client = _WarmNotebookClient(
            nb_man,
            km=kwargs.pop("km"),
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            **kwargs,
        )
        try:
            return client.execute()
        finally:
            if client.kc is not None:  # a client left open would keep receiving the next notebooks' output
                client.kc.stop_channels()


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)


class WarmKernel:
    """The workbook's kernel, started on first use and reset before each notebook; ``close`` stops it.

    The manager is asynchronous, as nbclient's own: with a blocking one a cell's time limit would not
    be kept. The kernel talks over Unix sockets of its own (IPC) rather than TCP ports: ports are
    picked before the kernel binds them, and two workers starting kernels at once could pick the
    same (jupyter_client issue 154; the kernel then dies before replying)."""

    def __init__(self, kernel_name: str, extra_arguments: list[str]):
        self.kernel_name = kernel_name
        self.extra_arguments = extra_arguments
        self.manager: AsyncKernelManager | None = None

    def start(self, folder: Path | None = None) -> None:
        """Start the kernel (in ``folder``); this returns at once, and the first notebook waits for it.
        Each notebook imports what it needs, once per kernel: importing every page module up front
        would make a run of one page wait for the others' libraries."""
        self.close()
        sockets = Path(tempfile.gettempdir()) / f"lasergo-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.manager = AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc", ip=str(sockets))
        run_sync(self.manager.start_kernel)(
            cwd=str(folder or Path.cwd()), extra_arguments=self.extra_arguments, env={**os.environ, **ONE_THREAD}
        )

    def ready_for(self, folder: Path, start_timeout: float) -> AsyncKernelManager:
        """The kernel, started if need be and reset for a notebook in ``folder``. A failure stops
        the kernel and raises PipelineError."""
        if self.manager is None or not run_sync(self.manager.is_alive)():
            self.start(folder)
        assert self.manager is not None
        client = self._shell_client()
        try:
            request = client.execute(_RESET.format(folder=str(folder)), silent=True, store_history=False)
            _wait_for_reply(client, request, start_timeout)
        except Exception:
            self.close()
            raise
        finally:
            client.stop_channels()
        return self.manager

    def _shell_client(self) -> BlockingKernelClient:
        """A client on the kernel's shell channel only: one listening to the kernel's output would
        keep receiving the next notebook's."""
        assert self.manager is not None
        client = BlockingKernelClient()
        client.load_connection_info(self.manager.get_connection_info())
        client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        return client

    def close(self) -> None:
        """Stop the kernel (if any); the next notebook starts a new one."""
        if self.manager is not None:
            if self.manager.has_kernel:
                run_sync(self.manager.shutdown_kernel)(now=True)
            self.manager = None


def _wait_for_reply(client: BlockingKernelClient, request: str, timeout: float) -> None:
    """Wait for the reply to ``request``; PipelineError if the code failed."""
    while (reply := client.get_shell_msg(timeout=timeout))["parent_header"].get("msg_id") != request:
        continue
    content = reply["content"]
    if content["status"] != "ok":
        raise PipelineError(f"the kernel could not be prepared: {content.get('ename')}: {content.get('evalue')}")
