"""What the app does at once: expensive pages take a slot, wait briefly for
one, and answer within a time limit.

- :class:`Limiter`: ``slots`` expensive requests run at a time, each in its
  own worker thread (apart from the pool that serves the cheap pages, so an
  overview never queues behind a story). A request that finds no slot free
  within ``wait`` seconds, or whose work takes longer than ``time_limit``,
  gets :class:`Busy` (the app's 503 page with ``Retry-After``). Python
  cannot stop a thread: work past its limit runs on to its end and keeps
  its slot meanwhile, so the number of expensive computations, and the
  memory they hold, stays bounded by ``slots``.
- :func:`limited_body`: a request body read while it streams, refused at
  ``limit`` bytes (a chunked body has no length to check beforehand).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any, AsyncIterator, Callable, TypeVar

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
        self._free: asyncio.Semaphore | None = None
        self.busy = 0      # requests refused for want of a slot
        self.timed_out = 0  # requests whose work outlived the time limit

    def _semaphore(self) -> asyncio.Semaphore:
        if self._free is None:  # made in the event loop that uses it
            self._free = asyncio.Semaphore(self.slots)
        return self._free

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker thread once a slot is free."""
        free = self._semaphore()
        try:
            await asyncio.wait_for(free.acquire(), self.wait)
        except TimeoutError:
            self.busy += 1
            raise Busy(f"the server is busy with {self.slots} large pages; try again in a few seconds",
                       self.retry_after) from None
        loop = asyncio.get_running_loop()
        try:
            fut = loop.run_in_executor(self._pool, fn, *args)
        except BaseException:
            free.release()
            raise
        fut.add_done_callback(lambda _f: free.release())  # the slot is free when the work is done
        try:
            return await asyncio.wait_for(asyncio.shield(fut), self.time_limit)
        except TimeoutError:
            self.timed_out += 1
            fut.add_done_callback(lambda f: f.exception())  # its outcome is not wanted any more
            raise Busy(f"this page took longer than {self.time_limit:g} s to make; the server goes on with it "
                       "for a while, try again later", self.retry_after * 4) from None

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
