"""Benchmark a real amarcord server: `python scripts/benchmark.py [--database-url URL] [--quick]`.

Starts `amarcord serve` on a loopback port (after `amarcord db upgrade`; by default on a fresh
SQLite file), seeds one beamtime directly in the database (10,000 runs x 30 run attributi of
mixed kinds, 50 chemicals x 10 attributi), then measures every registered scenario against the
server at 1 and 16 concurrent clients: latency percentiles, throughput and the server's peak
RSS. The requests go through `bench_client.LoadClient`, a light client (why: its docstring);
`--client httpx` measures with httpx instead. It also times the floor of the full run table
in-process: the raw database fetch of the same rows plus their JSON encoding. Prints a
markdown table.

Adding a scenario: write `async def my_case(bench: Bench) -> list[Result]` and decorate it
with `@scenario("my case")`; `Bench.measure` does the timing and the bookkeeping.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
from bench_client import LoadClient, Response
from bench_seed import CHOICES, WORDS, seed
from sqlalchemy import select

from amarcord.db.engine import Database
from amarcord.db.models import Run

REPO = Path(__file__).resolve().parent.parent
FILTER = 'integer_1 > 20000 and boolean_1 == true and string_1 ? "a"'
SORT = "-decimal_1"
# The client that sends the measured requests (`--client`), and what it answers.
Client = LoadClient | httpx.AsyncClient
Answer = Response | httpx.Response


# ---------------------------------------------------------------------------------------------
# Results and the scenario registry


@dataclass
class Result:
    scenario: str
    clients: int
    latencies: list[float]  # seconds
    elapsed: float
    peak_rss_mb: float | None
    server_cpu_s: float | None = None
    target: str = ""
    ok: bool | None = None

    @property
    def cpu_ms(self) -> float | None:
        """Server CPU time per request: unlike latency, barely affected by other load on the
        machine, so it tells what a quiet machine would do."""
        if self.server_cpu_s is None:
            return None
        return 1000 * self.server_cpu_s / len(self.latencies)

    @property
    def p50_ms(self) -> float:
        return 1000 * statistics.median(self.latencies)

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.elapsed


Scenario = Callable[["Bench"], Awaitable[list[Result]]]
SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str) -> Callable[[Scenario], Scenario]:
    def register(function: Scenario) -> Scenario:
        SCENARIOS[name] = function
        return function

    return register


@dataclass
class Bench:
    """What a scenario needs: the server, a client, the seeded beamtime and helpers."""

    base_url: str
    server_pid: int
    database_url: str
    beamtime_id: int
    runs: int
    quick: bool
    client: Client
    floor_ms: float | None = None  # wall time
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1_000_001))

    def url(self, path: str) -> str:
        return f"{self.base_url}/api/beamtimes/{self.beamtime_id}{path}"

    def reset_peak_rss(self) -> None:
        # Writing 5 to clear_refs resets VmHWM (Linux), so each phase reports its own peak.
        with contextlib.suppress(OSError):
            Path(f"/proc/{self.server_pid}/clear_refs").write_text("5")

    def cpu_seconds(self) -> float | None:
        try:
            fields = Path(f"/proc/{self.server_pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        # utime and stime, fields 14 and 15 of stat(5), counted after the ")" of the name.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float | None:
        try:
            status = Path(f"/proc/{self.server_pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return None

    async def measure(
        self,
        name: str,
        request: Callable[[], Awaitable[Answer]],
        *,
        clients: int,
        per_client: int,
        expect: int = 200,
        prepare: Callable[[], Awaitable[object]] | None = None,
    ) -> Result:
        """`clients` concurrent loops of `per_client` requests each; `prepare` runs before
        each request, untimed (its CPU counts, so CPU per request is left out)."""
        self.reset_peak_rss()
        latencies: list[float] = []

        async def loop() -> None:
            for _ in range(per_client):
                if prepare is not None:
                    await prepare()
                start = time.perf_counter()
                response = await request()
                latencies.append(time.perf_counter() - start)
                if response.status_code != expect:
                    msg = f"{name}: {response.status_code} {response.text[:300]}"
                    raise RuntimeError(msg)

        cpu_before = self.cpu_seconds()
        start = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(clients)))
        elapsed = time.perf_counter() - start
        cpu_after = self.cpu_seconds()
        cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
        if prepare is not None:
            cpu = None
            elapsed = sum(latencies) / clients
        return Result(name, clients, latencies, elapsed, self.peak_rss_mb(), cpu)

    async def change_a_run(self) -> None:
        """A write that moves the beamtime's change feed on, so that the next listing cannot
        come from the listings the server keeps."""
        body = {"attributi": {"integer_3": random.randint(0, 100_000)}}
        response = await self.client.patch(
            self.url(f"/runs/{random.randint(1, self.runs)}"), json=body
        )
        response.raise_for_status()


# ---------------------------------------------------------------------------------------------
# Scenarios


@scenario("calibration: GET /api/health")
async def calibration(bench: Bench) -> list[Result]:
    """The smallest request the server answers: shows how fast this machine is right now
    (other load on it slows every row below alike)."""
    url = f"{bench.base_url}/api/health"

    async def get() -> Answer:
        return await bench.client.get(url)

    await get()
    n = 50 if bench.quick else 300
    return [await bench.measure("calibration: GET /api/health", get, clients=1, per_client=n)]


@scenario("full run table (limit=all)")
async def full_table(bench: Bench) -> list[Result]:
    """Cold: a run changed before each request, so the server computes the table afresh
    (what the targets are about). Kept: nothing changed, the server answers from the
    listings it keeps (what most requests of a beamtime's browsers find)."""
    url = bench.url("/runs?limit=all")

    async def get() -> Answer:
        return await bench.client.get(url)

    await get()  # warm-up: caches, connection pool
    n = 5 if bench.quick else 20
    name = "full run table (limit=all), cold"
    single = await bench.measure(name, get, clients=1, per_client=n, prepare=bench.change_a_run)
    floor = bench.floor_ms
    single.target = "p50 ≤ 250 ms and ≤ 3x floor"
    single.ok = single.p50_ms <= 250 and (floor is None or single.p50_ms <= 3 * floor)
    per_client = 2 if bench.quick else 4
    many = await bench.measure(
        name, get, clients=16, per_client=per_client, prepare=bench.change_a_run
    )
    many.target = "peak RSS ≤ 300 MB"
    many.ok = many.peak_rss_mb is not None and many.peak_rss_mb <= 300
    kept_name = "full run table (limit=all), kept"
    kept = await bench.measure(kept_name, get, clients=1, per_client=n)
    kept_many = await bench.measure(kept_name, get, clients=16, per_client=per_client)
    return [single, many, kept, kept_many]


@scenario("filtered page sorted by an attributo")
async def filtered_page(bench: Bench) -> list[Result]:
    query = httpx.QueryParams({"filter": FILTER, "sort": SORT, "limit": "100"})
    url = bench.url(f"/runs?{query}")

    async def get() -> Answer:
        return await bench.client.get(url)

    await get()
    n = 30 if bench.quick else 200
    name = "filtered page sorted by an attributo"
    cold = f"{name}, cold"
    single = await bench.measure(cold, get, clients=1, per_client=n, prepare=bench.change_a_run)
    single.target, single.ok = "p50 ≤ 30 ms", single.p50_ms <= 30
    many = await bench.measure(
        cold, get, clients=16, per_client=max(2, n // 16), prepare=bench.change_a_run
    )
    kept = await bench.measure(f"{name}, kept", get, clients=1, per_client=n)
    return [single, many, kept]


def _put_body(rng: random.Random) -> dict[str, Any]:
    return {
        "started": datetime.now(UTC).isoformat(),
        "attributi": {
            "integer_1": rng.randint(0, 100_000),
            "decimal_1": round(rng.uniform(0, 1000), 3),
            "string_1": rng.choice(WORDS),
            "boolean_1": rng.random() < 0.5,
            "choice_1": rng.choice(CHOICES),
        },
        "data_paths": [{"path": "/raw/daq/*.h5"}],
    }


@scenario("run creation by PUT")
async def put_create(bench: Bench) -> list[Result]:
    rng = random.Random(1)

    async def put() -> Answer:
        return await bench.client.put(
            bench.url(f"/runs/{next(bench.numbers)}"), json=_put_body(rng)
        )

    n = 100 if bench.quick else 600
    name = "run creation by PUT"
    single = await bench.measure(name, put, clients=1, per_client=n, expect=201)
    single.target, single.ok = "≥ 300 req/s", single.per_second >= 300
    many = await bench.measure(name, put, clients=16, per_client=max(4, n // 16), expect=201)
    many.target, many.ok = "p95 ≤ 100 ms", many.p95_ms <= 100
    return [single, many]


@scenario("PATCH of one attributo")
async def patch_one(bench: Bench) -> list[Result]:
    rng = random.Random(2)

    async def patch() -> Answer:
        number = rng.randint(1, bench.runs)
        body = {"attributi": {"integer_2": rng.randint(0, 100_000)}}
        return await bench.client.patch(bench.url(f"/runs/{number}"), json=body)

    n = 100 if bench.quick else 600
    name = "PATCH of one attributo"
    single = await bench.measure(name, patch, clients=1, per_client=n)
    single.target, single.ok = "≥ 300 req/s", single.per_second >= 300
    many = await bench.measure(name, patch, clients=16, per_client=max(4, n // 16))
    return [single, many]


# ---------------------------------------------------------------------------------------------
# The floor: the same full table, fetched and encoded in-process without the server


async def floor_ms(database_url: str, beamtime_id: int, repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time (ms) of fetching and encoding the full table."""
    database = Database.open(database_url)
    columns = (
        Run.number,
        Run.started,
        Run.stopped,
        Run.experiment_type_id,
        Run.attributi,
        Run.version,
        Run.created_at,
        Run.updated_at,
    )
    query = select(*columns).where(Run.beamtime_id == beamtime_id).order_by(Run.number.desc())
    names = [column.key for column in columns]
    timings = []
    cpu = []
    try:
        for _ in range(repeat):
            start, cpu_start = time.perf_counter(), time.process_time()
            async with database.read() as session:
                rows = (await session.execute(query)).all()
            orjson.dumps([dict(zip(names, row, strict=True)) for row in rows])
            timings.append(time.perf_counter() - start)
            cpu.append(time.process_time() - cpu_start)
    finally:
        await database.dispose()
    return 1000 * statistics.median(timings), 1000 * statistics.median(cpu)


# ---------------------------------------------------------------------------------------------
# The server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _environment(database_url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "AMARCORD_DATABASE_URL": database_url,
        "AMARCORD_HOST": "127.0.0.1",
        "AMARCORD_PORT": str(port),
        "AMARCORD_LOG_LEVEL": "WARNING",
    }


def admin_token(cli: list[str], env: dict[str, str]) -> dict[str, str]:
    """Headers of an all-beamtimes admin token, made as an admin would for a DAQ system."""
    created = subprocess.run(
        [*cli, "tokens", "create", "--all-beamtimes", "--role", "admin", "--name", "benchmark"],
        env=env,
        check=True,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    return {"Authorization": f"Bearer {created.stdout.strip().splitlines()[-1]}"}


@contextlib.contextmanager
def server(database_url: str) -> Iterator[tuple[str, int, dict[str, str]]]:
    """A real server on loopback; yields its URL, process id and the headers to send."""
    port = _free_port()
    env = _environment(database_url, port)
    cli = [sys.executable, "-m", "amarcord.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, cwd=REPO)
    headers = admin_token(cli, env)
    process = subprocess.Popen([*cli, "serve"], env=env, cwd=REPO)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, process)
        yield base_url, process.pid, headers
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/api/health", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("the server did not come up within 60 s")


# ---------------------------------------------------------------------------------------------
# Report


def table(results: list[Result], floor: tuple[float, float], runs: int) -> str:
    lines = [
        "| scenario | clients | requests | p50 ms | p95 ms | req/s | server CPU ms/req "
        "| server peak RSS MB | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
        f"| floor: fetch + encode the full table in-process ({runs} runs) | 1 | - "
        f"| {floor[0]:.1f} | - | - | {floor[1]:.1f} | - | - | - |",
    ]
    for r in results:
        rss = "-" if r.peak_rss_mb is None else f"{r.peak_rss_mb:.0f}"
        cpu = "-" if r.cpu_ms is None else f"{r.cpu_ms:.1f}"
        met = "-" if r.ok is None else ("yes" if r.ok else "**no**")
        lines.append(
            f"| {r.scenario} | {r.clients} | {len(r.latencies)} | {r.p50_ms:.1f} "
            f"| {r.p95_ms:.1f} | {r.per_second:.0f} | {cpu} | {rss} | {r.target or '-'} | {met} |"
        )
    return "\n".join(lines)


def cpu_probe_ms() -> float:
    """How fast this machine's CPU is right now: the shared VMs here have slow spells
    (10-11 ms when fast, 15-20 ms when slow), which every row below follows."""
    return 1000 * min(timeit.repeat("sum(range(10**6))", number=1, repeat=5))


def make_client(kind: str, base_url: str, headers: dict[str, str]) -> Client:
    if kind == "httpx":
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
        return httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits, headers=headers)
    return LoadClient(base_url, headers)


async def run_benchmark(args: argparse.Namespace, database_url: str) -> int:
    probe_before = cpu_probe_ms()
    with server(database_url) as (base_url, pid, headers):
        started = time.perf_counter()
        beamtime_id = await seed(database_url, base_url, args.runs, headers)
        print(f"seeded {args.runs} runs in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        floor = await floor_ms(database_url, beamtime_id, 5 if args.quick else 15)
        async with make_client(args.client, base_url, headers) as client:
            bench = Bench(base_url, pid, database_url, beamtime_id, args.runs, args.quick, client)
            bench.floor_ms = floor[0]
            results: list[Result] = []
            for name, function in SCENARIOS.items():
                if args.only and name not in args.only:
                    continue
                print(f"measuring: {name}", file=sys.stderr)
                results += await function(bench)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"machine: {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"load average at the end (1, 5, 15 min): {load}")
    print(
        f"CPU probe, sum(range(10**6)): {probe_before:.1f} ms before, {cpu_probe_ms():.1f} ms after"
    )
    engine = database_url.split(":", maxsplit=1)[0]
    print(
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; database: {engine}; client: {args.client}\n"
    )
    print(table(results, floor, args.runs))
    return 0 if all(r.ok is not False for r in results) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--quick", action="store_true", help="fewer requests (a smoke test)")
    parser.add_argument("--runs", type=int, default=10_000, help="runs to seed")
    parser.add_argument(
        "--client",
        choices=("light", "httpx"),
        default="light",
        help="what sends the measured requests (default: bench_client.LoadClient)",
    )
    parser.add_argument("--only", nargs="*", choices=list(SCENARIOS), help="scenarios to run")
    args = parser.parse_args()
    if args.database_url:
        return asyncio.run(run_benchmark(args, args.database_url))
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{directory}/benchmark.db"
        return asyncio.run(run_benchmark(args, url))


if __name__ == "__main__":
    sys.exit(main())
