"""How the OpenAPI document names operations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quart_schema import OpenAPIProvider


class AmarcordOpenAPIProvider(OpenAPIProvider):
    """`/runs/latest` is an alias served by the handler of `/runs/{number}`: one function,
    two operations. Generated clients name their functions after operationIds, so the alias
    gets its own."""

    def operation_id(self, method: str, path: str, func: Callable[..., Any]) -> str | None:
        base = super().operation_id(method, path, func)
        if base is not None and "/latest" in path:
            return f"{base}_latest"
        return base
