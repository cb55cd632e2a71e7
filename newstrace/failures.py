"""What goes wrong outside the data: a damaged or busy store, a full disk, too
little memory, a signal.

- :func:`describe`: the one-line message for an exception that a store, a
  disk or memory raised (DuckDB's or the system's), naming the file and the
  fix; ``None`` for any other exception (a bug keeps its traceback);
- :func:`lock_holder` and :func:`holder`: who holds a store's lock, read
  from DuckDB's message (it carries the PID) and from ``/proc``;
- :class:`Terminated` and :func:`sigterm_raises`: SIGTERM as an exception
  in the main thread, so that every ``finally`` (a scan's worker pool, the
  store, a temporary file, serve's snapshot) runs as it does on Ctrl-C.
"""

from __future__ import annotations

import errno
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["Signals", "Terminated", "describe", "holder", "kind_of", "lock_holder", "sigterm_raises"]


class Terminated(BaseException):
    """SIGTERM arrived (see :func:`sigterm_raises`). A ``BaseException``, as
    ``KeyboardInterrupt`` is, so that no ``except Exception`` swallows it."""


class Signals:
    """The signal that interrupted a block of :func:`sigterm_raises`, if any
    (``"SIGTERM"`` or ``"Ctrl-C"``). DuckDB turns an exception raised by a
    signal handler during a query into its own ``RuntimeError: Query
    interrupted``, so the exception alone does not tell."""

    def __init__(self) -> None:
        self.received: str | None = None


@contextmanager
def sigterm_raises() -> Iterator[Signals]:
    """Within the block, SIGTERM raises :class:`Terminated` in the main
    thread (once: a second SIGTERM ends the process at once) and Ctrl-C
    raises ``KeyboardInterrupt`` as usual; either is recorded in the
    :class:`Signals` yielded. Outside the main thread the block runs
    unchanged."""
    seen = Signals()
    if threading.current_thread() is not threading.main_thread():
        yield seen
        return

    def raise_terminated(_signum: int, _frame: Any) -> None:
        seen.received = "SIGTERM"
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated()

    def raise_interrupt(_signum: int, _frame: Any) -> None:
        seen.received = seen.received or "Ctrl-C"
        raise KeyboardInterrupt()

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    previous_int = signal.getsignal(signal.SIGINT)
    if previous_int is signal.default_int_handler:  # not when Ctrl-C is ignored (a background job)
        signal.signal(signal.SIGINT, raise_interrupt)
    try:
        yield seen
    finally:
        signal.signal(signal.SIGTERM, previous)
        if previous_int is signal.default_int_handler:
            signal.signal(signal.SIGINT, previous_int)


# --------------------------------------------------------------------------
# locks

_HELD = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")


def lock_holder(message: str) -> tuple[int, str] | None:
    """``(pid, program)`` of the process DuckDB's lock message names, or ``None``."""
    m = _HELD.search(message)
    return (int(m.group(2)), m.group(1)) if m else None


def holder(message: str) -> str:
    """Who holds the lock, for a message: ``PID 42 (newstrace scan c.jsonl --db s.duckdb)``,
    the program alone where its command line cannot be read, or that it is unknown."""
    found = lock_holder(message)
    if found is None:
        return "another process (DuckDB's message does not say which)"
    pid, program = found
    try:
        args = [a.decode(errors="replace") for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    except OSError:
        args = []
    if "newstrace" in args:  # python -m newstrace scan ...
        args = args[args.index("newstrace"):]
    elif args and Path(args[0]).name == "newstrace":
        args = ["newstrace", *args[1:]]
    command = " ".join(args) or program
    if len(command) > 120:
        command = command[:117] + "..."
    return f"PID {pid} ({command})"


# --------------------------------------------------------------------------
# what an exception means

_DISK_FULL = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
_NO_WRITE = (errno.EROFS, errno.EACCES, errno.EPERM)
_MARKS = [  # (kind, a phrase of DuckDB's or the system's message), the first that matches
    ("busy", "could not set lock on file"),
    ("disk full", "no space left on device"),
    ("disk full", "file too large"),
    ("disk full", "disk quota exceeded"),
    ("read-only", "read-only file system"),
    ("read-only", "permission denied"),
    ("memory", "out of memory"),
    ("memory", "could not allocate"),
    ("memory", "failed to allocate"),
    ("memory", "failed to pin"),
    ("damaged", "corrupt database file"),
    ("damaged", "checksum"),
    ("damaged", "could not read enough bytes"),
    ("damaged", "not a valid duckdb database file"),
    ("damaged", "serialization error"),
    ("damaged", "internal error"),
]


def kind_of(e: BaseException) -> str | None:
    """``busy``, ``disk full``, ``read-only``, ``memory`` or ``damaged``; ``None``
    for an exception that is none of these."""
    if isinstance(e, MemoryError):
        return "memory"
    if isinstance(e, OSError) and e.errno is not None:
        if e.errno in _DISK_FULL:
            return "disk full"
        if e.errno in _NO_WRITE:
            return "read-only"
    try:
        import duckdb
    except ImportError:  # pragma: no cover - a core dependency
        return None
    if isinstance(e, duckdb.OutOfMemoryException):
        return "memory"
    if not isinstance(e, (duckdb.Error, OSError)):
        return None
    text = str(e).lower()
    for kind, mark in _MARKS:
        if mark in text:
            return kind
    if isinstance(e, (duckdb.SerializationException, duckdb.InternalException)):
        return "damaged"
    return None


def first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def describe(e: BaseException, store: str | Path | None = None, *, output: str | Path | None = None,
             writing: bool = False, memory_limit: str | None = None) -> str | None:
    """The message for ``e`` met by a command over the store ``store`` that
    writes into ``output`` (a file or folder), or ``None`` when ``e`` is not a
    store, disk or memory failure. ``writing``: the command writes the store
    (a scan, an import), whose work is kept transaction by transaction;
    ``memory_limit``: the command's ``--memory-limit``, when it has one."""
    kind = kind_of(e)
    if kind is None:
        return None
    detail = first_line(e)
    # only a write can fail in the output; a lock, damage or memory are the store's
    target = _target(e, store, output if kind in ("disk full", "read-only") else None)
    is_output = output is not None and target == str(output)
    lead = f"{target}: " if target else ""
    if kind == "busy":
        mode = ("open read-only by" if "would be able to open this database in read-only mode" in detail
                else "open for writing by")
        return (f"{lead}the store is {mode} {holder(detail)}; a store has one writer or any number of "
                "readers at a time: run this again when it ends")
    if kind == "read-only":
        flag = "an --output or -o" if is_output else "a --db"
        return (f"{lead}cannot write there ({detail}): the folder is read-only or not yours; give {flag} "
                "path in a folder you can write to")
    if kind == "damaged":
        return (f"{lead}the store is damaged ({detail}); it cannot be read: restore it from a copy, or scan "
                "the collection again into a new --db file")
    state = "what was stored before is kept" if writing else "nothing was changed or left half-written"
    goes_on = "; it goes on where this one stopped" if writing else ""
    if kind == "disk full":
        elsewhere = "give an --output on a larger disk" if is_output else "give a --db on a larger disk"
        return (f"{lead}the disk is full or the file size limit is reached ({detail}); {state}: free some "
                f"space (or {elsewhere}) and run the same command again{goes_on}")
    if memory_limit:
        return (f"{lead}the store ran out of memory under --memory-limit {memory_limit} ({detail}); {state}: "
                f"run the same command again with a larger --memory-limit (for example twice as much){goes_on}")
    return (f"{lead}out of memory ({detail}); {state}: free some memory (close other programs) and run the "
            f"same command again{goes_on}")


def _target(e: BaseException, store: str | Path | None, output: str | Path | None) -> str:
    """The file a message names: the output when the failure is in it (its
    temporary files are beside it, named after it), else the store."""
    where = getattr(e, "filename", None)
    text = str(where) if where else str(e)
    if output is not None:
        out = Path(output)
        if str(out) in text or (str(out.parent) in text and out.name in text):
            return str(out)
    if store is not None and (str(store) in text or output is None):
        return str(store)
    return str(output or where or store or "")  # a write that names no file: the command's output
