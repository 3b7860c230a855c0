"""ASGI entry point for several server processes (`AMARCORD_WORKERS` > 1) or any ASGI server:
each process reads the settings once and builds its app."""

from amarcord import gc_tuning
from amarcord.app import create_app
from amarcord.config import Settings

app = create_app(Settings())
gc_tuning.tune()
