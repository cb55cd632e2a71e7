"""What a scan did, and how it says so as it goes: the report and the
progress printer both engines use (the embedded engine,
:mod:`newstrace.engines.local`, and :mod:`newstrace.engines.spark`)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Progress = Callable[..., None]  # say(message, milestone=False)

# skipped records and notices a ScanReport lists (it counts them all; every
# skipped record is in the store's ``skipped`` table)
LISTED = 1000


@dataclass(slots=True)
class ScanReport:
    """What a scan did. ``skipped`` and ``notices`` list the first
    :data:`LISTED` of each, so that a collection of millions of bad records
    does not fill memory; ``skipped_count`` and ``notices_count`` count them all."""

    run_id: int = 0
    documents_seen: int = 0
    documents_added: int = 0
    duplicates: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)
    skipped_count: int = 0
    notices_count: int = 0
    pairs_aligned: int = 0
    passages_found: int = 0
    clusters: int = 0
    stories_analysed: int = 0  # stories whose analysis this scan (re)computed (newstrace.analysis)
    seconds: float = 0.0

    def skip(self, where: str, reason: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < LISTED:
            self.skipped.append((where, reason))

    def notice(self, where: str, message: str) -> None:
        self.notices_count += 1
        if len(self.notices) < LISTED:
            self.notices.append((where, message))


def terminal_progress(stream=None, *, mode: str = "auto") -> Progress | None:
    """A progress printer: on a terminal (``auto``) it rewrites one line;
    with ``always`` it prints lines even into a pipe or a log. Either way an
    update shows at most every 0.2 s, except milestones (each 1,000
    documents stored, each tenth of the pairs aligned), which always show.
    ``never`` (or ``auto`` in a pipe) prints nothing."""
    stream = stream or sys.stderr
    tty = stream.isatty()
    if mode == "never" or (mode == "auto" and not tty):
        return None
    last = [0.0]

    def say(msg: str, milestone: bool = False) -> None:
        now = time.monotonic()
        if milestone or now - last[0] >= 0.2:
            last[0] = now
            stream.write(("\r\033[K" + msg) if tty else (msg + "\n"))
            stream.flush()

    return say
