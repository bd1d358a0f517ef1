"""The stored records' features cache (graphcdp/identity/matching/features.py) from several threads."""

from __future__ import annotations

import sys
import threading

import pytest

from graphcdp.identity.matching import features
from graphcdp.identity.matching.features import stored_features

FIELDS = ("firstName", "lastName")


def test_the_stored_features_cache_takes_concurrent_callers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch's plan runs in a worker thread beside the event loop's matching (graphcdp/identity/pieces.py), and both
    recall and keep stored records' features. Dropping the oldest half while another thread took one failed with
    "dictionary changed size during iteration"."""
    monkeypatch.setattr(features, "STORED_KEPT", 16)
    monkeypatch.setattr(features, "_STORED", {})
    failures: list[BaseException] = []

    def call(offset: int) -> None:
        try:
            for n in range(20_000):
                key = (n * 7 + offset) % 40
                stored_features(f"h{key}", {"firstName": f"Ann{key}", "lastName": "Lee"}, (), FIELDS)
        except BaseException as exc:  # the failure is the finding
            failures.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can
    try:
        threads = [threading.Thread(target=call, args=(offset,)) for offset in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == []
