"""The exceptions the loaders raise: bad input, and a missing optional extra."""

from __future__ import annotations

__all__ = ["LoadError", "MissingExtra"]


class LoadError(Exception):
    """A file or record that cannot be loaded as a document.

    The message is one line: ``"<where>: <problem>; <fix>"``, for example
    ``"examples/x.txt: file is empty; give a file that contains article text"``.
    ``where`` is the file path when there is one, else a name for the record.
    """

    def __init__(self, where: str, problem: str, fix: str) -> None:
        self.where = where
        self.problem = problem
        self.fix = fix
        message = f"{where}: {problem}; {fix}"
        super().__init__(message.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))


class MissingExtra(LoadError):
    """Input newstrace can read only with an optional extra that is not installed.

    Not bad input, so a collection does not skip the file and go on: it is an
    error before anything is stored. ``module`` is what failed to import,
    ``extra`` the extra that brings it (``pip install 'newstrace[warc]'``).
    """

    def __init__(self, where: str, what: str, module: str, extra: str, reason: str = "") -> None:
        self.module = module
        self.extra = extra
        because = f" ({reason})" if reason else ""
        super().__init__(where, f"reading {what} needs {module}, which cannot be imported{because}",
                         f"pip install 'newstrace[{extra}]'")
