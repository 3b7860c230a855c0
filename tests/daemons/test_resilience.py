import logging

import pytest

from daemons.mjpeg.resilience import Backoff, Outage


def test_backoff_doubles_up_to_the_cap_and_resets() -> None:
    backoff = Backoff(0.5, 3.0)
    assert [backoff.next() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.reset()
    assert backoff.next() == 0.5


def test_outage_is_logged_once_per_cause_and_once_on_recovery(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outage = Outage(logging.getLogger("test"), "camera x")
    with caplog.at_level(logging.INFO):
        outage.recovered()
        for _ in range(3):
            outage.failed("unreachable")
        outage.failed("timed out")
        outage.failed("HTTP 401", logging.ERROR)
        outage.failed("HTTP 503")
        outage.recovered()
        outage.recovered()
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.WARNING, "camera x: unreachable"),
        (logging.ERROR, "camera x: HTTP 401"),
        (logging.INFO, "camera x: recovered after 0 s"),
    ]
