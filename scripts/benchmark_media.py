"""Benchmark files, events and the live-stream image on a real server:
`python scripts/benchmark_media.py [--database-url URL] [--quick]`.

Starts `amarcord serve` on a loopback port (after `amarcord db upgrade`; by default on a fresh
SQLite file) and measures live-stream PUTs of a 100 KB camera-like JPEG, GETs of the image with
a matching `If-None-Match` and event creation (with `bench_client.LoadClient`, or httpx with
`--client httpx`), then a 100 MB upload and download with httpx while watching the server's
resident memory (/proc/<pid>/status). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import os
import platform
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from benchmark import Answer, Client, cpu_probe_ms, make_client, server
from PIL import Image, ImageFilter

MEGABYTE = 1024 * 1024


@dataclass
class Result:
    scenario: str
    clients: int
    latencies: list[float]
    elapsed: float
    server_cpu: float
    target: str = ""
    ok: bool | None = None

    @property
    def cpu_ms(self) -> float:
        """Server CPU time per request: what the throughput would be on an idle core."""
        return 1000 * self.server_cpu / len(self.latencies)

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.elapsed

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def camera_frame(target_bytes: int = 100_000) -> bytes:
    """A 1280x1024 JPEG with a camera's texture, compressed to about `target_bytes`."""
    picture = (
        Image.effect_noise((1280, 1024), 40).convert("RGB").filter(ImageFilter.GaussianBlur(2))
    )
    best = b""
    for quality in range(40, 96, 5):
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=quality)
        if abs(len(out.getvalue()) - target_bytes) < abs(len(best) - target_bytes):
            best = out.getvalue()
    return best


async def measure(
    name: str,
    request: Callable[[], Awaitable[Answer]],
    *,
    server: Server,
    clients: int,
    requests: int,
    expect: int,
    min_rate: int | None,
) -> Result:
    """`clients` concurrent loops sharing `requests`; the target is `min_rate` req/s (None:
    no target, the row is for comparison)."""
    latencies: list[float] = []

    async def loop() -> None:
        for _ in range(requests // clients):
            start = time.perf_counter()
            response = await request()
            latencies.append(time.perf_counter() - start)
            if response.status_code != expect:
                raise RuntimeError(f"{name}: {response.status_code} {response.text[:300]}")

    cpu = server.cpu_seconds()
    start = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    result = Result(name, clients, latencies, elapsed, server.cpu_seconds() - cpu)
    if min_rate is not None:
        result.target, result.ok = f"≥ {min_rate} req/s", result.per_second >= min_rate
    return result


class Server:
    """The server process as /proc shows it: CPU time used, resident memory now and at its
    peak since the last reset."""

    def __init__(self, pid: int) -> None:
        self._stat = Path(f"/proc/{pid}/stat")
        self._status = Path(f"/proc/{pid}/status")
        self._clear_refs = Path(f"/proc/{pid}/clear_refs")

    def cpu_seconds(self) -> float:
        # utime and stime, fields 14 and 15, in clock ticks; the name in field 2 has no spaces.
        fields = self._stat.read_text().split()
        return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")

    def _field_mb(self, name: str) -> float:
        for line in self._status.read_text().splitlines():
            if line.startswith(f"{name}:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"{name} missing from {self._status}")

    def current_mb(self) -> float:
        return self._field_mb("VmRSS")

    def reset_peak(self) -> None:
        # Writing 5 resets VmHWM to the current RSS (Linux).
        self._clear_refs.write_text("5")

    def peak_mb(self) -> float:
        return self._field_mb("VmHWM")


async def calibration(client: Client, server: Server, quick: bool) -> Result:
    """A health check: one read statement; what the other rows are measured against."""

    async def health() -> Answer:
        return await client.get("/api/health")

    await health()
    n = 100 if quick else 500
    result = await measure(
        "calibration: GET /api/health",
        health,
        server=server,
        clients=1,
        requests=n,
        expect=200,
        min_rate=0,
    )
    result.target, result.ok = "", None
    return result


async def live_stream(client: Client, server: Server, bt: int, quick: bool) -> list[Result]:
    url = f"/api/beamtimes/{bt}/live-stream"
    frame = camera_frame()
    headers = {"Content-Type": "image/jpeg"}

    async def put() -> Answer:
        return await client.put(url, content=frame, headers=headers)

    await put()
    name = f"live-stream PUT ({len(frame) // 1000} KB JPEG, 1280x1024)"
    n = 100 if quick else 1000
    puts = await measure(name, put, server=server, clients=1, requests=n, expect=200, min_rate=200)
    tag = (await client.get(url)).headers["ETag"]

    async def revalidate() -> Answer:
        return await client.get(url, headers={"If-None-Match": tag})

    name = "live-stream GET, matching If-None-Match (304)"
    n = 300 if quick else 3000
    # The target is the server's rate for the browsers polling it, judged with 8 of them:
    # one client waits for each answer before it asks again, so on a small machine it
    # measures the round trip more than the server (httpx spends about as much CPU per
    # request as the server here; compare the calibration row).
    gets = [
        await measure(
            name, revalidate, server=server, clients=c, requests=n, expect=304, min_rate=rate
        )
        for c, rate in ((1, None), (8, 1000))
    ]
    return [puts, *gets]


async def events(client: Client, server: Server, bt: int, quick: bool) -> list[Result]:
    url = f"/api/beamtimes/{bt}/events"
    counter = iter(range(10**9))

    async def post() -> Answer:
        body = {"text": f"Sample **{next(counter)}** mounted", "level": "info"}
        return await client.post(url, json=body)

    n = 200 if quick else 2000
    return [
        await measure(
            "event creation", post, server=server, clients=c, requests=n, expect=201, min_rate=400
        )
        for c in (1, 8)
    ]


def big_file(directory: Path, megabytes: int) -> Path:
    path = directory / "big.bin"
    block = hashlib.sha256(b"benchmark").digest() * (MEGABYTE // 32)
    with path.open("wb") as out:
        for index in range(megabytes):
            out.write(index.to_bytes(4, "big") + block[4:])
    return path


async def large_file(
    client: httpx.AsyncClient, bt: int, memory: Server, directory: Path, megabytes: int
) -> list[tuple[str, float, float, float]]:
    """Upload then download; returns (phase, seconds, baseline MB, peak MB) per phase."""
    path = big_file(directory, megabytes)
    phases = []
    baseline = memory.current_mb()
    memory.reset_peak()
    start = time.perf_counter()
    with path.open("rb") as content:
        response = await client.post(
            f"/api/beamtimes/{bt}/files", files={"file": ("big.bin", content)}
        )
    response.raise_for_status()
    phases.append(("upload", time.perf_counter() - start, baseline, memory.peak_mb()))
    file_id = response.json()["id"]
    baseline = memory.current_mb()
    memory.reset_peak()
    start = time.perf_counter()
    received = 0
    async with client.stream("GET", f"/api/files/{file_id}") as download:
        async for chunk in download.aiter_raw():
            received += len(chunk)
    if received != megabytes * MEGABYTE:
        raise RuntimeError(f"downloaded {received} bytes of {megabytes * MEGABYTE}")
    phases.append(("download", time.perf_counter() - start, baseline, memory.peak_mb()))
    return phases


def table(
    results: list[Result], phases: list[tuple[str, float, float, float]], megabytes: int
) -> str:
    lines = [
        "| scenario | clients | requests | req/s | p50 ms | p95 ms | server CPU ms/req "
        "| target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        met = "-" if r.ok is None else ("yes" if r.ok else "**no**")
        lines.append(
            f"| {r.scenario} | {r.clients} | {len(r.latencies)} | {r.per_second:.0f} "
            f"| {r.percentile_ms(0.5):.1f} | {r.percentile_ms(0.95):.1f} | {r.cpu_ms:.2f} "
            f"| {r.target or '-'} | {met} |"
        )
    lines += [
        "",
        "| large file | seconds | MB/s | server RSS before MB | peak MB | increase MB | target | met |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for phase, seconds, baseline, peak in phases:
        increase = peak - baseline
        rate = megabytes / seconds
        met = "yes" if increase < 50 else "**no**"
        lines.append(
            f"| {phase} | {seconds:.1f} | {rate:.0f} | {baseline:.0f} | {peak:.0f} "
            f"| {increase:.0f} | < 50 MB | {met} |"
        )
    return "\n".join(lines)


async def run(database_url: str, quick: bool, megabytes: int, client_kind: str) -> int:
    with (
        server(database_url) as (base_url, pid, headers),
        tempfile.TemporaryDirectory() as directory,
    ):
        limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
        async with (
            httpx.AsyncClient(
                base_url=base_url, timeout=300, limits=limits, headers=headers
            ) as web,
            make_client(client_kind, base_url, headers) as client,
        ):
            response = await web.post(
                "/api/beamtimes",
                json={
                    "external_id": "benchmark",
                    "start": "2026-11-20T08:00:00Z",
                    "end": "2026-11-24T08:00:00Z",
                },
            )
            response.raise_for_status()
            bt = response.json()["id"]
            process = Server(pid)
            results = [await calibration(client, process, quick)]
            results += await live_stream(client, process, bt, quick)
            results += await events(client, process, bt, quick)
            phases = await large_file(web, bt, process, Path(directory), megabytes)
    print(f"machine: {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"load average {os.getloadavg()[0]:.1f}; {cpu_probe_ms():.1f} ms for sum(range(10**6))")
    engine = database_url.split(":", maxsplit=1)[0]
    print(
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; database: {engine}; client: {client_kind}\n"
    )
    print(table(results, phases, megabytes))
    memory_ok = all(peak - baseline < 50 for _, _, baseline, peak in phases)
    return 0 if memory_ok and all(r.ok is not False for r in results) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--quick", action="store_true", help="fewer requests (a smoke test)")
    parser.add_argument("--megabytes", type=int, default=100, help="size of the large file")
    parser.add_argument(
        "--client",
        choices=("light", "httpx"),
        default="light",
        help="what sends the measured requests (default: bench_client.LoadClient)",
    )
    args = parser.parse_args()
    if args.database_url:
        return asyncio.run(run(args.database_url, args.quick, args.megabytes, args.client))
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{directory}/benchmark.db"
        return asyncio.run(run(url, args.quick, args.megabytes, args.client))


if __name__ == "__main__":
    sys.exit(main())
