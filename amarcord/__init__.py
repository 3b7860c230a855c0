"""amarcord: an async beamtime logbook server."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("amarcord")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"
