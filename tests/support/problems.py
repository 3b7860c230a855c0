"""The problem+json error contract, asserted on a response."""

from __future__ import annotations

from typing import Any

PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}


async def problem_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, await response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = await response.get_json()
    assert set(body) == PROBLEM_KEYS
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    for error in body["errors"]:
        assert set(error) == {"loc", "msg", "type"}
    return body
