from pathlib import Path

import pytest

from daemons.mjpeg.cli import load_settings
from daemons.mjpeg.settings import ENV_PREFIX, MjpegSettings

DOCS = Path(__file__).parents[2] / "docs" / "daemons.md"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in MjpegSettings.model_fields:
        monkeypatch.delenv(f"{ENV_PREFIX}{name.upper()}", raising=False)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMARCORD_MJPEG_SERVER", "http://amarcord.example:8000")
    monkeypatch.setenv("AMARCORD_MJPEG_TOKEN", "s3cret")
    monkeypatch.setenv("AMARCORD_MJPEG_BEAMTIME", "12")
    monkeypatch.setenv("AMARCORD_MJPEG_MAX_FRAME_BYTES", "2048")
    settings = load_settings([])
    assert str(settings.server) == "http://amarcord.example:8000/"
    assert settings.token is not None
    assert settings.token.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)
    assert settings.beamtime == 12
    assert settings.max_frame_bytes == 2048
    assert settings.interval == 2.0


def test_options_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMARCORD_MJPEG_SERVER", "http://from-environment")
    monkeypatch.setenv("AMARCORD_MJPEG_INTERVAL", "7")
    settings = load_settings(
        ["--server", "http://from-option", "--beamtime", "active", "--stream-url", "http://cam/"]
    )
    assert str(settings.server) == "http://from-option/"
    assert settings.beamtime == "active"
    assert str(settings.stream_url) == "http://cam/"
    assert settings.interval == 7.0


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--server", "not a url"],
        ["--server", "http://x", "--beamtime", "0"],
        ["--server", "http://x", "--beamtime", "latest"],
        ["--server", "http://x", "--interval", "0"],
        ["--server", "http://x", "--max-frame-bytes", "10"],
    ],
)
def test_bad_settings_are_a_usage_error(
    options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        load_settings(options)
    assert exit_info.value.code == 2
    assert "amarcord-mjpeg: error:" in capsys.readouterr().err


def test_every_setting_is_documented() -> None:
    docs = DOCS.read_text()
    for name in MjpegSettings.model_fields:
        assert f"`--{name.replace('_', '-')}`" in docs, name
        assert f"`{ENV_PREFIX}{name.upper()}`" in docs, name
