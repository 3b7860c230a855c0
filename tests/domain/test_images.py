from __future__ import annotations

import io

import pytest
from PIL import Image

from amarcord.domain.errors import ValidationFailed
from amarcord.domain.images import (
    QUICK_BYTES,
    THUMBNAIL_BOUND,
    ImageInfo,
    decodes_quickly,
    inspect_image,
)
from tests.support.media import image_bytes, jpeg, noisy_jpeg, oversized_png, png

LOC = ("body", "file")


def inspect(content: bytes, mime: str) -> ImageInfo:
    return inspect_image(io.BytesIO(content), mime, loc=LOC)


def thumbnail_size(info: ImageInfo) -> tuple[int, int]:
    with Image.open(io.BytesIO(info.thumbnail)) as image:
        return image.size


def test_jpeg_size_and_a_thumbnail_within_the_bound() -> None:
    info = inspect(noisy_jpeg((1280, 1024)), "image/jpeg")
    assert (info.width, info.height) == (1280, 1024)
    assert info.thumbnail_mime == "image/jpeg"
    width, height = thumbnail_size(info)
    assert max(width, height) <= THUMBNAIL_BOUND
    assert width / height == pytest.approx(1.25, rel=0.02)


def test_large_jpeg_thumbnail_is_scaled_to_the_bound() -> None:
    info = inspect(jpeg((4000, 3000)), "image/jpeg")
    assert thumbnail_size(info) == (256, 192)


def test_exif_orientation_is_applied() -> None:
    picture = Image.new("RGB", (400, 200))
    exif = picture.getexif()
    exif[0x0112] = 6  # rotated 90 degrees clockwise
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes())
    info = inspect(out.getvalue(), "image/jpeg")
    assert (info.width, info.height) == (200, 400)
    width, height = thumbnail_size(info)
    assert height > width


def test_transparent_images_get_png_thumbnails() -> None:
    info = inspect(image_bytes((300, 300), "PNG", mode="RGBA", color=(1, 2, 3, 50)), "image/png")
    assert info.thumbnail_mime == "image/png"
    assert thumbnail_size(info) == (256, 256)


@pytest.mark.parametrize("mode", ["I;16", "F"])
def test_detector_images_are_stretched_to_grey(mode: str) -> None:
    gradient = Image.linear_gradient("L").resize((300, 100)).convert(mode)
    out = io.BytesIO()
    gradient.save(out, "TIFF")
    info = inspect(out.getvalue(), "image/tiff")
    assert (info.width, info.height) == (300, 100)
    with Image.open(io.BytesIO(info.thumbnail)) as thumb:
        low, high = thumb.convert("L").getextrema()
    assert low < 20 and high > 235


@pytest.mark.parametrize("format_", ["GIF", "WEBP", "TIFF"])
def test_other_formats(format_: str) -> None:
    mode = "P" if format_ == "GIF" else "RGB"
    color = 3 if format_ == "GIF" else (1, 2, 3)
    content = image_bytes((50, 40), format_, mode=mode, color=color)
    info = inspect(content, f"image/{format_.lower()}")
    assert (info.width, info.height) == (50, 40)


@pytest.mark.parametrize("cut", [0.5, 0.98])
def test_truncated_jpeg_is_refused(cut: float) -> None:
    content = noisy_jpeg((640, 480))
    with pytest.raises(ValidationFailed) as failure:
        inspect(content[: int(len(content) * cut)], "image/jpeg")
    assert failure.value.errors[0].loc == LOC
    assert "truncated" in failure.value.detail


def test_truncated_png_is_refused() -> None:
    content = png((300, 300), color=None)
    with pytest.raises(ValidationFailed):
        inspect(content[: len(content) // 2], "image/png")


def test_random_bytes_behind_a_png_signature_are_refused() -> None:
    content = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    with pytest.raises(ValidationFailed, match="not a readable image"):
        inspect(content, "image/png")


def test_decompression_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(ValidationFailed, match="more than"):
        inspect(oversized_png(100_000, 100_000), "image/png")


def test_image_just_above_the_pixel_limit_is_refused_too() -> None:
    # Between 1x and 2x the limit Pillow only warns and would decode anyway.
    side = int(Image.MAX_IMAGE_PIXELS**0.5) + 100  # type: ignore[operator]
    with pytest.raises(ValidationFailed, match="more than"):
        inspect(oversized_png(side, side), "image/png")


def test_real_bomb_made_with_pillow() -> None:
    side = int(Image.MAX_IMAGE_PIXELS**0.5) + 10  # type: ignore[operator]
    content = image_bytes((side, side), "PNG", mode="1", color=0)
    assert len(content) < 2_000_000
    with pytest.raises(ValidationFailed, match="more than"):
        inspect(content, "image/png")


def test_types_pillow_does_not_decode_here_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        inspect(b"%PDF-1.4", "application/pdf")


def test_a_camera_frame_decodes_quickly() -> None:
    frame = noisy_jpeg((640, 512))
    assert len(frame) <= QUICK_BYTES
    assert decodes_quickly(frame, "image/jpeg")
    assert decodes_quickly(png((640, 480)), "image/png")


def test_large_files_and_many_pixels_do_not() -> None:
    assert not decodes_quickly(noisy_jpeg((1280, 1024)), "image/jpeg")  # 400 KB
    # Small files that decode to many pixels: a zlib bomb, a JPEG header claiming 81 Mpx.
    assert not decodes_quickly(image_bytes((3000, 3000), "PNG", mode="1", color=0), "image/png")
    assert not decodes_quickly(oversized_png(9000, 9000), "image/png")
    huge = image_bytes((9000, 9000), "JPEG", color=(0, 0, 0))[:QUICK_BYTES]
    assert not decodes_quickly(huge, "image/jpeg")
    # A JPEG decodes at 1/8 x 1/8 scale, so a flat 12-megapixel one is quick.
    assert decodes_quickly(image_bytes((4000, 3000), "JPEG", color=(0, 0, 0)), "image/jpeg")


def test_unreadable_headers_and_bombs_count_as_quick() -> None:
    # inspect_image refuses them before decoding anything.
    assert decodes_quickly(oversized_png(100_000, 100_000), "image/png")
    assert decodes_quickly(b"\x89PNG\r\n\x1a\n" + b"junk" * 10, "image/png")
    assert decodes_quickly(b"%PDF-1.4", "application/pdf")
