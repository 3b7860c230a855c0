from collections.abc import AsyncIterator

import pytest

from scripts.fake_camera import CameraOptions, FakeCamera
from tests.daemons.fake_server import FakeServer


@pytest.fixture
async def camera() -> AsyncIterator[FakeCamera]:
    fake = FakeCamera(CameraOptions(fps=20, width=160, height=120))
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def server() -> AsyncIterator[FakeServer]:
    fake = FakeServer(token="secret")
    await fake.start()
    yield fake
    await fake.stop()
