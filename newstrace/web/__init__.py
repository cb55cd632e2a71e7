"""The local web app over a store (``newstrace serve``): FastAPI, an optional extra.

- :func:`snapshot`: copy the store to a private file, holding a read-only
  connection meanwhile (so a scan can start afterwards without either
  blocking the other);
- :func:`newstrace.web.app.create_app`: the routes and the JSON API;
- :func:`serve`: both, then uvicorn; the snapshot is removed however serve
  ends (Ctrl-C, SIGTERM, an error).

Importing this package needs no FastAPI; :class:`WebUnavailable` says how to
install it when :func:`serve` or :func:`create_app` is called without it.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

__all__ = ["SnapshotError", "WebUnavailable", "serve", "snapshot"]


class WebUnavailable(RuntimeError):
    """FastAPI or uvicorn is not installed."""


class SnapshotError(RuntimeError):
    """The store cannot be read now (the message names the file and what to do)."""


def require_web() -> None:
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as e:
        raise WebUnavailable(f"the web app needs FastAPI and uvicorn ({e.name} is missing): "
                             "pip install 'newstrace[web]'") from None


def snapshot(db: str | Path, folder: str | Path) -> Path:
    """Copy the store ``db`` into ``folder`` and return the copy's path.

    The store is opened read-only first and held open during the copy:
    DuckDB's file lock then keeps any writer out, so the copy is
    consistent. Raises :class:`SnapshotError` when a scan holds the store
    right now, or when the file is not a store."""
    from ..store import StoreError, open_store

    src = Path(db)
    try:
        store = open_store(src, read_only=True, create=False)
    except StoreError as e:  # its message names the file, what is wrong and (a lock) who holds it
        raise SnapshotError(str(e).replace("run this again when it ends", "start serve when it ends")) from None
    try:
        dst = Path(folder) / "snapshot.duckdb"
        shutil.copyfile(src, dst)
        wal = src.with_name(src.name + ".wal")
        if wal.exists():
            shutil.copyfile(wal, dst.with_name(dst.name + ".wal"))
    finally:
        store.close()
    return dst


_PREFIX = "newstrace-serve-"  # the snapshot's folder: newstrace-serve-PID-xxxxxxxx


def _remove_stale_snapshots() -> None:
    """Remove the snapshot folders of serve processes that no longer run
    (killed with SIGKILL, which leaves no chance to clean up)."""
    from ..outputs import running

    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*-*"):
        pid = folder.name[len(_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not running(int(pid)) and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


def serve(db: str | Path, *, host: str = "127.0.0.1", port: int = 8000,
          say: Callable[[str], None] = lambda _m: None) -> None:
    """Snapshot the store and serve it until interrupted."""
    require_web()
    import uvicorn

    from .app import create_app

    from ..failures import sigterm_raises

    # SIGTERM stops uvicorn, which then raises it again: as an exception, so
    # that the snapshot is removed on the way out
    _remove_stale_snapshots()
    with sigterm_raises(), tempfile.TemporaryDirectory(prefix=f"{_PREFIX}{os.getpid()}-") as tmp:
        snap = snapshot(db, tmp)
        taken = _dt.datetime.now().replace(microsecond=0)
        from .app import LOOPBACK_NAMES

        loopback = host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")
        app = create_app(snap, name=Path(db).name, taken=taken,
                         allowed_hosts=LOOPBACK_NAMES + ((host,) if host.startswith("127.") else ()) if loopback
                         else None)
        say(f"newstrace: serving {db} as of {taken.isoformat(sep=' ')} at http://{host}:{port}/ "
            "(a snapshot: a scan may write to the store meanwhile; Ctrl-C stops)")
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
