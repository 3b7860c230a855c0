"""The frontend's unit tests (Vitest), run as part of the Python test suite."""

from __future__ import annotations

import pytest

from tests.frontend.support import ensure_node_modules, run_npm


@pytest.mark.slow
def test_vitest_unit_tests_pass() -> None:
    ensure_node_modules()
    result = run_npm("test", "--", "--run", "--reporter=dot")
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
