"""One build per variant folder at a time: an exclusive lock on `build/<variant>/.lock`.

The lock is an `fcntl.flock` on an open file, so the operating system releases it when the
holder exits in any way, `kill -9` included; a stale lock file never blocks a build. The file
holds the holder's process id, only to name it in the waiting message.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from report.errors import ReportError

LOCK_FILE = ".lock"


class BuildLocked(ReportError):
    """Another build holds the variant folder and the caller chose not to wait."""


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return f" (process {pid})" if pid.isdigit() else ""


@contextlib.contextmanager
def variant_lock(run_dir: Path, *, wait: bool = True, echo: Callable[[str], None] = print,
                 poll_s: float = 0.2) -> Iterator[None]:
    """Hold the lock of `run_dir` for the duration of the block.

    wait=True: when another build holds it, say so once and wait for it to finish.
    wait=False: raise BuildLocked (one line) instead.
    """
    path = Path(run_dir) / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as err:
                if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
            if not wait:
                raise BuildLocked(f"{run_dir}: another build of this variant is running{_holder(path)}; "
                                  "not waiting (--no-wait)")
            if not told:
                echo(f"{Path(run_dir).name}: another build of this variant is running{_holder(path)}; "
                     "waiting for it to finish")
                told = True
            time.sleep(poll_s)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the flock
