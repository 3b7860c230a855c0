"""`amarcord-mjpeg`: the command line of the grabber daemon."""

import argparse
import asyncio
import logging
import signal
from collections.abc import Sequence

from pydantic import ValidationError

from daemons.mjpeg.camera import redact
from daemons.mjpeg.settings import ENV_PREFIX, MjpegSettings
from daemons.mjpeg.supervisor import run_daemon

logger = logging.getLogger("daemons.mjpeg")


def build_parser() -> argparse.ArgumentParser:
    """One option per setting, so that the two can never disagree."""
    parser = argparse.ArgumentParser(
        prog="amarcord-mjpeg",
        description="Upload the newest frame of a beamline camera to amarcord's live stream. "
        "Every option can also be set as an environment variable.",
    )
    for name, field in MjpegSettings.model_fields.items():
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            dest=name,
            metavar=name.upper(),
            # Only options that were given override the environment.
            default=argparse.SUPPRESS,
            help=f"{field.description} Environment: {ENV_PREFIX}{name.upper()}.",
        )
    return parser


def load_settings(argv: Sequence[str] | None = None) -> MjpegSettings:
    parser = build_parser()
    options = vars(parser.parse_args(argv))
    try:
        return MjpegSettings(**options)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, problem['loc']))}: {problem['msg']}" for problem in error.errors()
        )
        parser.error(problems)


def main(argv: Sequence[str] | None = None) -> int:
    settings = load_settings(argv)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request at INFO: one line per upload would drown the outage messages.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    asyncio.run(serve(settings))
    return 0


async def serve(settings: MjpegSettings) -> None:
    """Run the daemon until SIGTERM or SIGINT, then stop it cleanly."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGTERM, signal.SIGINT)
    for number in signals:
        loop.add_signal_handler(number, stop.set)
    daemon = asyncio.create_task(run_daemon(settings))
    stopping = asyncio.create_task(stop.wait())
    logger.info(
        "started: server %s, beamtime %s, camera %s, interval %g s",
        settings.server,
        settings.beamtime,
        redact(str(settings.stream_url)) if settings.stream_url else "from configuration",
        settings.interval,
    )
    try:
        await asyncio.wait({daemon, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for number in signals:
            loop.remove_signal_handler(number)
        stopping.cancel()
        daemon.cancel()
        await asyncio.wait({daemon, stopping})
    if not daemon.cancelled():
        daemon.result()
    logger.info("stopped")
