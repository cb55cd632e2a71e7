"""Output files written whole or not at all.

Every file a command writes (a report page, an exported table, a new store)
is first written under a temporary name in its own folder, then renamed
into place, so that a failure (a full disk, Ctrl-C, SIGTERM, a bug) leaves
an existing file as it was and never a half-written one under the final
name. Temporary names are hidden and carry the writer's PID
(``.report.html.1234-9f3a.partial``); a later write of the same file
removes those of writers that are no longer running (killed with SIGKILL,
which no program can clean up after).

- :class:`Staged`: temporary paths for a set of files, renamed into place
  together when the block ends without an exception, removed whatever happens;
- :func:`write_text`: one text file, the same way.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from types import TracebackType

__all__ = ["Staged", "remove_stale", "running", "temporary_name", "write_text"]

PARTIAL = ".partial"


def temporary_name(final: Path, suffix: str = PARTIAL) -> Path:
    """A fresh hidden name beside ``final`` that carries this process's PID."""
    return final.with_name(f".{final.name}.{os.getpid()}-{secrets.token_hex(3)}{suffix}")


def running(pid: int) -> bool:
    """Whether a process ``pid`` runs (as far as this user can tell)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def remove_stale(final: Path, suffix: str = PARTIAL) -> None:
    """Remove the temporary files beside ``final`` left by writers that are no longer running."""
    try:
        leftovers = list(final.parent.glob(f".{final.name}.*{suffix}*"))
    except OSError:
        return
    for p in leftovers:
        pid = p.name[len(final.name) + 2:].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not running(int(pid)):
            p.unlink(missing_ok=True)


def _sync(path: Path) -> None:
    """Flush a written file to the disk, so that the rename never exposes an empty one after a crash."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Staged:
    """Files written under temporary names and renamed into place together.

    ``with Staged(folder) as staged: tmp = staged.path(final); <write tmp>``: on a
    normal end each temporary file replaces its final path; on an exception
    (including ``KeyboardInterrupt`` and SIGTERM as
    :class:`newstrace.failures.Terminated`) every temporary file is removed
    and the final paths are as they were."""

    def __init__(self, folder: Path | None = None) -> None:
        """``folder``: made if missing (with its parents), and removed again
        if the block fails and leaves it empty."""
        self._pending: list[tuple[Path, Path]] = []
        self._made: Path | None = None
        if folder is not None and not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            self._made = folder

    def path(self, final: Path) -> Path:
        """The temporary path to write ``final``'s content to."""
        remove_stale(final)
        tmp = temporary_name(final)
        self._pending.append((tmp, final))
        return tmp

    def commit(self) -> None:
        for tmp, _ in self._pending:
            _sync(tmp)
        while self._pending:
            tmp, final = self._pending[0]
            os.replace(tmp, final)
            self._pending.pop(0)

    def discard(self) -> None:
        for tmp, _ in self._pending:
            tmp.unlink(missing_ok=True)
        self._pending.clear()

    def __enter__(self) -> Staged:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if exc_type is None:
                self.commit()
                self._made = None
        finally:
            self.discard()
            if self._made is not None:
                try:
                    self._made.rmdir()
                except OSError:
                    pass


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` whole, or leave ``path`` as it was."""
    with Staged() as staged:
        staged.path(path).write_text(text, encoding="utf-8")
    return path
