import pytest

from daemons.mjpeg.camera import redact


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "http://operator:s3cret@camera:81/mjpeg?res=full",
            "http://operator:***@camera:81/mjpeg?res=full",
        ),
        ("http://camera/mjpeg", "http://camera/mjpeg"),
        ("http://operator@camera/mjpeg", "http://operator@camera/mjpeg"),
        ("http://[broken", "http://[broken"),
    ],
)
def test_logs_never_show_a_camera_password(url: str, shown: str) -> None:
    assert redact(url) == shown
