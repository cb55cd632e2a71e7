"""FirstSeen (where a key was first seen, spilling to disk) against a dict."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.ingest.seen import FirstSeen


def first_seen_reference(events: list[tuple[str, str]]) -> list[str | None]:
    """The obviously correct twin: a dict of the first place of each key."""
    places: dict[str, str] = {}
    out = []
    for key, place in events:
        out.append(places.get(key))
        places.setdefault(key, place)
    return out


# short keys repeat; any text: '', NULs, and lone surrogates (a JSON "\udc80", a non-UTF-8 file name)
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=6)
keys = any_text
events = st.lists(st.tuples(keys, any_text), max_size=60)


@settings(max_examples=150, deadline=None)
@given(events=events, spill_at=st.integers(min_value=0, max_value=20))
def test_first_seen_matches_a_dict_before_and_after_spilling(events, spill_at):
    with FirstSeen(spill_at=spill_at) as seen:
        got = [seen.first(k, p) for k, p in events]
        assert seen.spilled == (len({k for k, _ in events}) > spill_at)
    assert got == first_seen_reference(events)


def test_spilled_keys_live_on_disk_not_in_a_dict():
    with FirstSeen(spill_at=10) as seen:
        for i in range(1000):
            assert seen.first(f"id-{i}", f"file.jsonl:{i + 1}") is None
        assert seen.spilled and seen._memory is None
        assert seen.first("id-3", "elsewhere") == "file.jsonl:4"
        assert seen.first("id-999", "elsewhere") == "file.jsonl:1000"


def test_spill_at_must_not_be_negative():
    with pytest.raises(ValueError, match="spill_at"):
        FirstSeen(spill_at=-1)
