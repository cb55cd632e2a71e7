"""Short one-line excerpts of text for terminal output."""

from __future__ import annotations

EXCERPT = 70


def excerpt(text: str, width: int = EXCERPT) -> str:
    """The text on one line, in quotes; long text keeps whole words from
    both ends around an ellipsis."""
    words = text.split()
    flat = " ".join(words)
    if len(flat) <= width:
        return f"\u201c{flat}\u201d"
    half = (width - 3) // 2
    head: list[str] = []
    for w in words:
        if head and len(" ".join(head + [w])) > half:
            break
        head.append(w)
    tail: list[str] = []
    for w in reversed(words[len(head):]):
        if tail and len(" ".join([w] + tail)) > half:
            break
        tail.insert(0, w)
    return f"\u201c{' '.join(head)} \u2026 {' '.join(tail)}\u201d"
