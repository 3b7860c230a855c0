"""A serving process freezes its start-up objects and collects young objects less often."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from amarcord import gc_tuning


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_gc")
def test_tune_freezes_what_exists_and_raises_the_young_threshold() -> None:
    before = gc.get_freeze_count()
    gc_tuning.tune()
    assert gc.get_freeze_count() > before
    assert gc.get_threshold()[0] == gc_tuning.YOUNG_THRESHOLD
