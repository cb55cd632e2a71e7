"""Where a key was first seen, in memory that does not grow with the collection.

A collection reader must know, for every document id (and every file), where
it was first used, so that a second use is reported with the place of the
first. A dict of a million ids and places is a few hundred megabytes, so
:class:`FirstSeen` keeps a dict only up to ``spill_at`` keys, then moves
them into a private temporary SQLite file (on disk, deleted when closed;
SQLite's page cache is bounded) and goes on there. Both hold the same
answers: a property test compares them (tests/test_seen.py).
"""

from __future__ import annotations

import sqlite3

# keys held in a dict before they move to disk: about 25 MB of ids and places
SPILL_AT = 100_000


def _blob(s: str) -> bytes:
    # ids and paths may hold lone surrogates (a JSON "\udc80", a file name that
    # is not UTF-8); SQLite's text type cannot, its blobs can
    return s.encode("utf-8", "surrogatepass")


class FirstSeen:
    """``first(key, place)``: ``None`` the first time ``key`` is given (and
    ``place`` is remembered), else the place given that first time."""

    def __init__(self, spill_at: int = SPILL_AT) -> None:
        if spill_at < 0:
            raise ValueError(f"spill_at: give a number of keys >= 0, not {spill_at}")
        self.spill_at = spill_at
        self._memory: dict[str, str] | None = {}
        self._disk: sqlite3.Connection | None = None

    def first(self, key: str, place: str) -> str | None:
        if self._memory is not None:
            seen = self._memory.get(key)
            if seen is not None:
                return seen
            if len(self._memory) < self.spill_at:
                self._memory[key] = place
                return None
            self._spill()
        assert self._disk is not None
        k = _blob(key)
        row = self._disk.execute("SELECT place FROM seen WHERE key = ?", (k,)).fetchone()
        if row is not None:
            return bytes(row[0]).decode("utf-8", "surrogatepass")
        self._disk.execute("INSERT INTO seen VALUES (?, ?)", (k, _blob(place)))
        return None

    @property
    def spilled(self) -> bool:
        return self._disk is not None

    def _spill(self) -> None:
        # "" opens a private temporary database on disk, removed on close
        con = sqlite3.connect("", isolation_level=None)
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.execute("PRAGMA cache_size = -8192")  # 8 MB of pages in memory
        con.execute("CREATE TABLE seen (key BLOB PRIMARY KEY, place BLOB NOT NULL) WITHOUT ROWID")
        con.execute("BEGIN")  # one transaction for the life of the table: nothing here must survive
        assert self._memory is not None
        con.executemany("INSERT INTO seen VALUES (?, ?)", ((_blob(k), _blob(p)) for k, p in self._memory.items()))
        self._memory = None
        self._disk = con

    def close(self) -> None:
        if self._disk is not None:
            self._disk.close()
            self._disk = None
        self._memory = {}

    def __enter__(self) -> FirstSeen:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
