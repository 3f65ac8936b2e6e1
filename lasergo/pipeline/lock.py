"""One run at a time per reports folder: a lock file holding the runner's process id.

A second run finds the lock, says who holds it and either waits or stops; a
lock left by a process that no longer exists is taken over.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from lasergo.errors import PipelineError

LOCK_FILE = ".lasergo.lock"


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, ended but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc: trust the signal
    return state != "Z"


def _holder(path: Path) -> dict | None:
    """The lock's content, or None when the lock is free or held by a process that has died."""
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, OSError):
        holder = {}
    same_host = holder.get("host") in (None, socket.gethostname())
    if isinstance(holder.get("pid"), int) and (not same_host or _alive(holder["pid"])):
        return holder
    path.unlink(missing_ok=True)  # a dead run's lock
    return None


@contextmanager
def reports_lock(out_dir: Path, wait: bool = False, poll_seconds: float = 1.0) -> Iterator[None]:
    """Hold ``out_dir/.lasergo.lock`` for the duration; PipelineError when another live run holds
    it, unless ``wait``, which waits for it to finish."""
    path = out_dir / LOCK_FILE
    mine = json.dumps(
        {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    told = False
    while True:
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(path)
            if holder is None:
                continue
            who = f"process {holder['pid']} on {holder.get('host', 'this machine')} since {holder.get('since', '?')}"
            if not wait:
                raise PipelineError(
                    f"{out_dir} is being written by another run ({who}); wait for it, or give --wait to queue behind it"
                ) from None
            if not told:
                print(f"waiting for the run that holds {path} ({who})", file=sys.stderr)
                told = True
            time.sleep(poll_seconds)
            continue
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(mine)
        break
    try:
        yield
    finally:
        try:
            if path.read_text(encoding="utf-8") == mine:
                path.unlink()
        except FileNotFoundError:
            pass
