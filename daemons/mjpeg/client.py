"""The part of the amarcord HTTP API that the daemon uses."""

from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
from pydantic import AwareDatetime, BaseModel, ValidationError

from daemons.mjpeg.resilience import describe, status_line
from daemons.mjpeg.settings import MjpegSettings

USER_AGENT = "amarcord-mjpeg"
_PAGE_LIMIT = 1000
_MAX_PAGES = 100
# Servers close idle keep-alive connections after a few seconds (hypercorn and uvicorn: 5 s);
# retiring ours earlier avoids most of the races where a request goes out on a closing one.
_KEEPALIVE_EXPIRY = 4.0
# What a request on a connection that the server has just closed fails with.
_STALE_CONNECTION = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)

_Model = TypeVar("_Model", bound=BaseModel)


class ServerError(Exception):
    """A request that failed. The message is the same for the same cause, so that outage
    logging can tell a new cause from a repeated one."""

    def __init__(self, message: str, *, rejected: bool = False) -> None:
        super().__init__(message)
        self.rejected = rejected
        """The server refused the request (4xx): only a change of configuration will help."""


class Beamtime(BaseModel):
    id: int
    start: AwareDatetime
    end: AwareDatetime | None = None

    def active_at(self, moment: datetime) -> bool:
        return self.start <= moment and (self.end is None or moment <= self.end)


class _BeamtimePage(BaseModel):
    items: list[Beamtime]
    next_cursor: str | None = None


class _Configuration(BaseModel):
    live_stream_url: str | None = None


class ServerClient:
    def __init__(self, settings: MjpegSettings) -> None:
        headers = {"User-Agent": USER_AGENT}
        if settings.token is not None:
            headers["Authorization"] = f"Bearer {settings.token.get_secret_value()}"
        self._http = httpx.AsyncClient(
            base_url=str(settings.server),
            headers=headers,
            timeout=settings.server_timeout,
            follow_redirects=True,
            limits=httpx.Limits(keepalive_expiry=_KEEPALIVE_EXPIRY),
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._http.aclose()

    async def beamtimes(self) -> list[Beamtime]:
        beamtimes: list[Beamtime] = []
        params: dict[str, Any] = {"limit": _PAGE_LIMIT}
        for _ in range(_MAX_PAGES):
            page = await self._get("/api/beamtimes", _BeamtimePage, params)
            beamtimes += page.items
            if not page.next_cursor:
                break
            params = {"limit": _PAGE_LIMIT, "cursor": page.next_cursor}
        return beamtimes

    async def live_stream_url(self, beamtime_id: int) -> str | None:
        path = f"/api/beamtimes/{beamtime_id}/configuration"
        configuration = await self._get(path, _Configuration)
        return configuration.live_stream_url or None

    async def put_live_stream(self, beamtime_id: int, image: bytes, media_type: str) -> None:
        await self._request(
            "PUT",
            f"/api/beamtimes/{beamtime_id}/live-stream",
            content=image,
            headers={"Content-Type": media_type},
        )

    async def _get(
        self, path: str, model: type[_Model], params: dict[str, Any] | None = None
    ) -> _Model:
        response = await self._request("GET", path, params=params)
        try:
            return model.model_validate_json(response.content)
        except ValidationError:
            raise ServerError(f"GET {path}: unexpected response") from None

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._send(method, path, **kwargs)
        except httpx.TransportError as error:
            raise ServerError(f"unreachable ({describe(error)})") from error
        if response.is_success:
            return response
        rejected = response.is_client_error and response.status_code not in {408, 429}
        raise ServerError(f"{method} {path}: {_reason(response)}", rejected=rejected)

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._http.request(method, path, **kwargs)
        except _STALE_CONNECTION:
            # Every request here is idempotent, so one retry on a fresh connection is safe.
            return await self._http.request(method, path, **kwargs)


def _reason(response: httpx.Response) -> str:
    status = status_line(response)
    detail = _problem_detail(response)
    return f"{status}: {detail}" if detail else status


def _problem_detail(response: httpx.Response) -> str | None:
    """The `detail` (or `title`) of an RFC 9457 problem, which says why a request failed."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    for key in ("detail", "title"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    return None
