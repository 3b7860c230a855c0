"""Measure what the MJPEG daemon costs: CPU share of one core and RSS growth.

    python scripts/measure_mjpeg_daemon.py --frames 10000

runs the fake camera (20 fps, 1280x1024) in one process, the real `amarcord-mjpeg` in another,
and the stand-in server from the tests in this one, for the time the camera needs to send
`--frames` frames. CPU time and RSS come from /proc/<pid>/stat and /proc/<pid>/status of the
daemon, measured after a warm-up so that imports and first allocations do not count.
Targets: at most 5 % of one core, less than 5 MB of RSS growth.
"""

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.daemons.fake_server import FakeServer, free_port  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Sample:
    at: float
    cpu_seconds: float
    rss_kib: int


def sample(pid: int) -> Sample:
    stat = Path(f"/proc/{pid}/stat").read_text()
    # Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    fields = stat[stat.rindex(")") + 2 :].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    return Sample(time.monotonic(), cpu, rss)


async def frames_sent(port: int) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /stats HTTP/1.1\r\nHost: camera\r\n\r\n")
    response = await reader.read()
    writer.close()
    count: int = json.loads(response.split(b"\r\n\r\n", 1)[1])["frames_sent"]
    return count


async def measure(args: argparse.Namespace) -> int:
    camera_port = free_port()
    camera = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "scripts" / "fake_camera.py"),
        f"--port={camera_port}",
        f"--fps={args.fps}",
        f"--width={args.width}",
        f"--height={args.height}",
        stdout=asyncio.subprocess.DEVNULL,
    )
    server = FakeServer()
    now = datetime.now(UTC)
    server.add_beamtime(
        1,
        now - timedelta(hours=1),
        now + timedelta(days=1),
        f"http://127.0.0.1:{camera_port}/mjpeg",
    )
    await server.start()
    daemon = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("amarcord-mjpeg")),
        f"--server={server.url}",
        "--beamtime=1",
        f"--interval={args.interval}",
        env=os.environ | {"AMARCORD_MJPEG_LOG_LEVEL": "WARNING"},
    )
    try:
        await server.wait_for_uploads(1, timeout=30)
        await asyncio.sleep(args.warmup)
        first = sample(daemon.pid)
        uploads_before = len(server.uploads)
        frames_before = await frames_sent(camera_port)
        duration = args.frames / args.fps
        print(f"measuring for {duration:.0f} s ({args.frames} camera frames at {args.fps:g} fps)")
        samples = [first]
        while samples[-1].at - first.at < duration:
            await asyncio.sleep(min(10.0, duration - (samples[-1].at - first.at)))
            samples.append(sample(daemon.pid))
        last = samples[-1]
        uploads = len(server.uploads) - uploads_before
        frames = await frames_sent(camera_port) - frames_before
        daemon.send_signal(signal.SIGTERM)
        stop_started = time.monotonic()
        exit_status = await asyncio.wait_for(daemon.wait(), 5)
        stop_seconds = time.monotonic() - stop_started
    finally:
        for process in (daemon, camera):
            if process.returncode is None:
                process.kill()
                await process.wait()
        await server.stop()
    elapsed = last.at - first.at
    cpu_percent = 100 * (last.cpu_seconds - first.cpu_seconds) / elapsed
    growth_mib = (last.rss_kib - first.rss_kib) / 1024
    peak_mib = max(s.rss_kib for s in samples) / 1024
    print(f"wall time            {elapsed:.0f} s")
    print(f"camera frames        {frames} read by the daemon ({frames / elapsed:.1f} fps)")
    print(f"CPU                  {cpu_percent:.2f} % of one core (target <= 5 %)")
    print(f"RSS after warm-up    {first.rss_kib / 1024:.1f} MiB")
    print(f"RSS at the end       {last.rss_kib / 1024:.1f} MiB (peak {peak_mib:.1f} MiB)")
    print(f"RSS growth           {growth_mib:+.2f} MiB (target < 5 MB)")
    timeline = " ".join(f"{s.rss_kib / 1024:.1f}" for s in samples)
    print(f"RSS every 10 s (MiB) {timeline}")
    print(f"uploads              {uploads} (expected about {elapsed / args.interval:.0f})")
    print(f"SIGTERM              exit status {exit_status} after {stop_seconds:.2f} s")
    print(f"machine load         {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    within_targets = cpu_percent <= 5 and growth_mib * 1.048576 < 5 and exit_status == 0
    return 0 if within_targets else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=10_000, help="camera frames to measure over")
    parser.add_argument("--fps", type=float, default=20.0)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1024)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds before measuring")
    sys.exit(asyncio.run(measure(parser.parse_args())))


if __name__ == "__main__":
    main()
