"""Benchmark the run overview and the change stream on a real server:
`python scripts/benchmark_stream.py [--database-url URL] [--subscribers 200] [--quick]`.

Starts `amarcord serve` on a loopback port (by default on a fresh SQLite file) and seeds it
like `scripts/benchmark.py` (10,000 runs x 30 run attributi), then gives the runs an
experiment type, makes a data set from the latest run, selects the type in the configuration
and adds events, a live-stream frame and a schedule, so that the overview has everything to
show. Measured with httpx:

- `GET /overview` latency at 1 and 16 concurrent clients;
- N concurrent SSE subscribers on one process: the server's resident memory (VmRSS from
  /proc/<pid>/status) before they connect and with all of them connected, and for each of a
  few changes written through the API, the time until the last subscriber has it.

Prints a markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from bench_seed import seed
from benchmark import Bench, Result, server
from PIL import Image
from sqlalchemy import update

from amarcord.db.engine import Database
from amarcord.db.models import Run

DELIVERY_TARGET_S = 1.0
RSS_TARGET_MB = 100.0
OVERVIEW_TARGET_MS = 15.0
IDLE_SECONDS = 5.0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (/proc/<pid>/stat fields 14 and 15)."""
    after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(after_name[11]) + int(after_name[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/<pid>/status")


# ---------------------------------------------------------------------------------------------
# What the overview shows, on top of the seeded runs


async def furnish(client: httpx.AsyncClient, database_url: str, beamtime_id: int) -> None:
    url = f"/api/beamtimes/{beamtime_id}"
    attributi = (await client.get(f"{url}/attributi?limit=1000")).json()["items"]
    chosen = [a["id"] for a in attributi if a["name"] in ("choice_1", "boolean_1")]
    body = {"name": "serial", "attributi": [{"attributo_id": i} for i in chosen]}
    response = await client.post(f"{url}/experiment-types", json=body)
    response.raise_for_status()
    type_id = response.json()["id"]
    database = Database.open(database_url)
    try:
        async with database.write() as session:
            await session.execute(
                update(Run).where(Run.beamtime_id == beamtime_id).values(experiment_type_id=type_id)
            )
    finally:
        await database.dispose()
    latest = (await client.get(f"{url}/runs/latest")).json()["number"]
    (await client.post(f"{url}/data-sets", json={"from_run": latest})).raise_for_status()
    configured = await client.patch(
        f"{url}/configuration", json={"current_experiment_type_id": type_id}
    )
    configured.raise_for_status()
    for index in range(30):
        event = {"text": f"**shift note {index}**: jet stable", "level": "user"}
        (await client.post(f"{url}/events", json=event)).raise_for_status()
    frame = io.BytesIO()
    Image.new("RGB", (640, 480), "teal").save(frame, "JPEG")
    put = await client.put(
        f"{url}/live-stream", content=frame.getvalue(), headers={"Content-Type": "image/jpeg"}
    )
    put.raise_for_status()
    now = datetime.now(UTC)
    shifts = [
        {
            "start": (now + timedelta(hours=8 * k)).isoformat(),
            "end": (now + timedelta(hours=8 * (k + 1))).isoformat(),
            "users": [f"person {k}", f"person {k + 1}"],
        }
        for k in range(-1, 5)
    ]
    (await client.put(f"{url}/schedule", json={"shifts": shifts})).raise_for_status()


@dataclass
class Measured:
    result: Result
    cpu_ms: float  # server CPU per request


async def with_cpu(bench: Bench, measuring: Awaitable[Result]) -> Measured:
    before = cpu_seconds(bench.server_pid)
    result = await measuring
    spent = cpu_seconds(bench.server_pid) - before
    return Measured(result, 1000 * spent / len(result.latencies))


async def overview_latency(bench: Bench, quick: bool) -> list[Measured]:
    url = bench.url("/overview")

    async def get() -> httpx.Response:
        return await bench.client.get(url)

    first = await get()
    first.raise_for_status()
    body = first.json()
    assert body["data_set"] is not None and body["latest_run"] is not None, body
    n = 40 if quick else 400
    health_url = f"{bench.base_url}/api/health"

    async def health() -> httpx.Response:
        return await bench.client.get(health_url)

    # The floor on this machine: a request that costs one trivial query.
    floor = await with_cpu(
        bench, bench.measure("floor: GET /api/health", health, clients=1, per_client=n)
    )
    single = await with_cpu(bench, bench.measure("overview", get, clients=1, per_client=n))
    single.result.target = f"p50 ≤ {OVERVIEW_TARGET_MS:.0f} ms"
    single.result.ok = single.result.p50_ms <= OVERVIEW_TARGET_MS
    per_client = max(3, n // 16)
    many = await with_cpu(bench, bench.measure("overview", get, clients=16, per_client=per_client))
    changes = 10 if quick else 40
    changed = await with_cpu(bench, after_each_change(bench, get, clients=1, changes=changes))
    burst = await with_cpu(bench, after_each_change(bench, get, clients=16, changes=changes // 2))
    return [floor, single, many, changed, burst]


async def after_each_change(
    bench: Bench, get: Callable[[], Awaitable[httpx.Response]], *, clients: int, changes: int
) -> Result:
    """What browsers do when the stream announces a change: all of them fetch the overview
    at once, and the first one has to recompute what the change invalidated."""
    latencies: list[float] = []

    async def timed() -> None:
        start = time.perf_counter()
        (await get()).raise_for_status()
        latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    for index in range(changes):
        patched = await bench.client.patch(bench.url(""), json={"title": f"change {index}"})
        patched.raise_for_status()
        await asyncio.gather(*(timed() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    name = "overview right after a change"
    return Result(name, clients, latencies, elapsed, None)


# ---------------------------------------------------------------------------------------------
# Subscribers


@dataclass
class Subscriber:
    """One SSE client: when each change arrived, in order."""

    connected: asyncio.Event = field(default_factory=asyncio.Event)
    arrivals: list[float] = field(default_factory=list)
    news: asyncio.Event = field(default_factory=asyncio.Event)

    async def follow(self, client: httpx.AsyncClient, url: str) -> None:
        async with client.stream("GET", url, timeout=None) as response:
            response.raise_for_status()
            async for line in response.aiter_lines():
                if line.startswith("retry:"):
                    self.connected.set()
                elif line.startswith("id: "):
                    self.arrivals.append(time.perf_counter())
                    self.news.set()


@dataclass
class StreamResult:
    subscribers: int
    rss_before_mb: float
    rss_connected_mb: float
    rss_after_mb: float
    latencies: list[float]  # per change: seconds until the last subscriber had it
    idle_cpu: float  # the server's CPU share (of one core) while the subscribers wait

    @property
    def extra_mb(self) -> float:
        return max(self.rss_connected_mb, self.rss_after_mb) - self.rss_before_mb


async def stream_fan_out(bench: Bench, subscribers: int, changes: int) -> StreamResult:
    url = bench.url("/changes/stream")
    limits = httpx.Limits(max_connections=subscribers + 8, max_keepalive_connections=0)
    before = rss_mb(bench.server_pid)
    async with httpx.AsyncClient(limits=limits, headers=bench.client.headers) as streams:
        followers = [Subscriber() for _ in range(subscribers)]
        tasks = [asyncio.create_task(s.follow(streams, url)) for s in followers]
        try:
            async with asyncio.timeout(60):
                await asyncio.gather(*(s.connected.wait() for s in followers))
            await asyncio.sleep(1)  # let the server settle before reading its memory
            connected = rss_mb(bench.server_pid)
            idle_from = cpu_seconds(bench.server_pid)
            await asyncio.sleep(IDLE_SECONDS)
            idle = (cpu_seconds(bench.server_pid) - idle_from) / IDLE_SECONDS
            latencies = []
            for index in range(changes):
                latencies.append(await _deliver(bench, followers, f"title {index}"))
                await asyncio.sleep(0.3)
            after = rss_mb(bench.server_pid)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    return StreamResult(subscribers, before, connected, after, latencies, idle)


async def _deliver(bench: Bench, followers: list[Subscriber], title: str) -> float:
    """Writes one change (nothing else writes meanwhile) and waits until every subscriber
    has it."""
    index = len(followers[0].arrivals)
    sent = time.perf_counter()
    response = await bench.client.patch(bench.url(""), json={"title": title})
    response.raise_for_status()
    async with asyncio.timeout(30):
        for follower in followers:
            while len(follower.arrivals) <= index:
                follower.news.clear()
                await follower.news.wait()
    return max(follower.arrivals[index] for follower in followers) - sent


# ---------------------------------------------------------------------------------------------
# Report


def report(overview: list[Measured], stream: StreamResult) -> str:
    lines = [
        "| measurement | clients | samples | p50 | p95 / max | server CPU per request "
        "| server RSS MB | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for measured in overview:
        r = measured.result
        met = "-" if r.ok is None else ("yes" if r.ok else "**no**")
        rss = "-" if r.peak_rss_mb is None else f"{r.peak_rss_mb:.0f}"
        lines.append(
            f"| {r.scenario} | {r.clients} | {len(r.latencies)} | {r.p50_ms:.1f} ms "
            f"| {r.p95_ms:.1f} ms | {measured.cpu_ms:.1f} ms | {rss} | {r.target or '-'} "
            f"| {met} |"
        )
    worst = max(stream.latencies)
    delivered = "yes" if worst <= DELIVERY_TARGET_S else "**no**"
    lines.append(
        f"| change delivered to every subscriber | {stream.subscribers} "
        f"| {len(stream.latencies)} | {1000 * statistics.median(stream.latencies):.0f} ms "
        f"| {1000 * worst:.0f} ms | - | {stream.rss_after_mb:.0f} "
        f"| max ≤ {DELIVERY_TARGET_S:.0f} s | {delivered} |"
    )
    extra_ok = "yes" if stream.extra_mb < RSS_TARGET_MB else "**no**"
    lines.append(
        f"| extra server RSS with {stream.subscribers} subscribers | {stream.subscribers} | - "
        f"| {stream.extra_mb:.1f} MB | - | - | {stream.rss_before_mb:.0f} → "
        f"{stream.rss_connected_mb:.0f} | < {RSS_TARGET_MB:.0f} MB | {extra_ok} |"
    )
    lines.append(
        f"| server CPU while {stream.subscribers} subscribers wait | {stream.subscribers} | - "
        f"| {100 * stream.idle_cpu:.1f} % of a core | - | - | - | - | - |"
    )
    return "\n".join(lines)


async def run_benchmark(args: argparse.Namespace, database_url: str) -> int:
    with server(database_url) as (base_url, pid, headers):
        started = time.perf_counter()
        beamtime_id = await seed(database_url, base_url, args.runs, headers)
        async with httpx.AsyncClient(base_url=base_url, timeout=120, headers=headers) as client:
            await furnish(client, database_url, beamtime_id)
        print(f"seeded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
        async with httpx.AsyncClient(timeout=120, limits=limits, headers=headers) as client:
            bench = Bench(base_url, pid, database_url, beamtime_id, args.runs, args.quick, client)
            overview = await overview_latency(bench, args.quick)
            changes = 3 if args.quick else 10
            stream = await stream_fan_out(bench, args.subscribers, changes)
    print(f"machine: {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    engine = database_url.split(":", maxsplit=1)[0]
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; database: {engine}")
    print(f"runs: {args.runs}\n")
    print(report(overview, stream))
    delivered = max(stream.latencies) <= DELIVERY_TARGET_S
    fine = delivered and stream.extra_mb < RSS_TARGET_MB and overview[1].result.ok is not False
    return 0 if fine else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--runs", type=int, default=10_000, help="runs to seed")
    parser.add_argument("--subscribers", type=int, default=200, help="SSE subscribers")
    parser.add_argument("--quick", action="store_true", help="fewer samples (a smoke test)")
    args = parser.parse_args()
    if args.database_url:
        return asyncio.run(run_benchmark(args, args.database_url))
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{directory}/benchmark.db"
        return asyncio.run(run_benchmark(args, url))


if __name__ == "__main__":
    sys.exit(main())
