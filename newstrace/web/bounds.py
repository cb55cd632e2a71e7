"""What the app does at once: expensive pages take a slot, wait briefly for
one, and answer within a time limit.

- :class:`Limiter`: ``slots`` expensive requests run at a time, each in its
  own thread (apart from the pool that serves the cheap pages, so an
  overview never queues behind a story). A request that finds no slot free
  within ``wait`` seconds, or whose work takes longer than ``time_limit``,
  gets :class:`Busy` (the app's 503 page with ``Retry-After``). A thread
  cannot be stopped: work past its limit keeps its slot until it ends, so
  the number of expensive computations stays bounded by ``slots``. The app
  runs each page's work in a worker process (:mod:`.pages`), which is
  stopped at its own time limit.
- :func:`limited_body`: a request body read while it streams, refused at
  ``limit`` bytes (a chunked body has no length to check beforehand).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
import time
from typing import Any, AsyncIterator, Callable, Iterator, TypeVar

T = TypeVar("T")


class Busy(Exception):
    """No slot for an expensive page now, or its time ran out."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooLarge(Exception):
    """A request body beyond its limit."""


class Limiter:
    def __init__(self, slots: int = 2, *, wait: float = 2.0, time_limit: float = 20.0, retry_after: int = 5) -> None:
        if slots < 1:
            raise ValueError("slots must be at least 1")
        self.slots, self.wait, self.time_limit, self.retry_after = slots, wait, time_limit, retry_after
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=slots, thread_name_prefix="newstrace-page")
        self._free = threading.BoundedSemaphore(slots)  # a thread's semaphore: any event loop may wait on it
        self.busy = 0      # requests refused for want of a slot
        self.timed_out = 0  # requests whose work outlived the time limit

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker thread once a slot is free."""
        deadline = time.monotonic() + self.wait
        while not self._free.acquire(blocking=False):
            if time.monotonic() >= deadline:
                self.busy += 1
                raise Busy(f"the server is busy with {self.slots} large pages; try again in a few seconds",
                           self.retry_after)
            await asyncio.sleep(0.02)

        def work() -> T:
            try:
                return fn(*args)
            finally:
                self._free.release()  # the slot is free when the work is done, answered or not

        try:
            fut = self._pool.submit(work)
        except BaseException:
            self._free.release()
            raise
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(fut)), self.time_limit)
        except TimeoutError:
            self.timed_out += 1
            raise Busy(f"this page took longer than {self.time_limit:g} s to make; the server goes on with it "
                       "for a while, try again later", self.retry_after * 4) from None

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """One slot taken for the block, as a page in the making takes it (a
        maintenance pause; the tests' way to make the app busy at will)."""
        if not self._free.acquire(timeout=max(self.wait, 0.0) + self.time_limit):
            raise Busy("no slot came free", self.retry_after)
        try:
            yield
        finally:
            self._free.release()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


async def limited_body(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """The body from its ``chunks``, raising :class:`TooLarge` as soon as it
    passes ``limit`` bytes (the rest is never read)."""
    parts, size = [], 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"more than {limit:,} bytes")
        parts.append(chunk)
    return b"".join(parts)
