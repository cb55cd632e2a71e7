"""The one exception the loaders raise for bad input."""

from __future__ import annotations

__all__ = ["LoadError"]


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
