"""The frame parsers, fed byte-level recordings of odd cameras in 1-, 7- and 4,096-byte chunks."""

import io

import pytest
from PIL import Image

from daemons.mjpeg.parser import FrameParser, JpegScanner, MultipartParser, parser_for

CHUNK_SIZES = [1, 7, 4096]
MAX = 1 << 20


def noisy_jpeg(seed: int, size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    # Noise makes the entropy-coded data full of 0xFF bytes, as in real camera images.
    image = Image.effect_noise(size, 40 + seed).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90 - seed, **save)
    return buffer.getvalue()


FRAMES = [noisy_jpeg(seed) for seed in range(4)]
# An APP1 segment that carries a complete JPEG, as EXIF thumbnails do: searching for the end
# marker instead of walking the segments would cut the frame at the thumbnail's end.
WITH_THUMBNAIL = noisy_jpeg(5, exif=b"Exif\x00\x00" + noisy_jpeg(6, (8, 8)))
PROGRESSIVE = noisy_jpeg(7, progressive=True)


def multipart(
    frames: list[bytes],
    *,
    delimiter: bytes = b"--frame",
    newline: bytes = b"\r\n",
    content_length: bool = True,
    headers: bool = True,
    junk: bytes = b"",
) -> bytes:
    stream = b"preamble the camera sends first" + newline
    for frame in frames:
        stream += junk + delimiter + newline
        if headers:
            stream += b"Content-Type: image/jpeg" + newline
            if content_length:
                stream += b"Content-Length: %d" % len(frame) + newline
            stream += newline
        stream += frame + newline
    # A part without Content-Length ends where the next one begins.
    return stream + junk + delimiter + newline


def feed(parser: FrameParser, data: bytes, chunk: int) -> list[bytes]:
    frames: list[bytes] = []
    for start in range(0, len(data), chunk):
        frames += parser.feed(data[start : start + chunk])
    return frames


def parse(content_type: str | None, data: bytes, chunk: int, limit: int = MAX) -> list[bytes]:
    return feed(parser_for(content_type, limit), data, chunk)


MIXED = "multipart/x-mixed-replace; boundary=frame"
CAMERAS = {
    "standard": (MIXED, multipart(FRAMES)),
    "quoted boundary": ('multipart/x-mixed-replace;boundary="frame"', multipart(FRAMES)),
    "declared with dashes": ("multipart/x-mixed-replace; boundary=--frame", multipart(FRAMES)),
    "extra dashes in body": (
        "multipart/x-mixed-replace; boundary=--frame",
        multipart(FRAMES, delimiter=b"----frame", content_length=False),
    ),
    "bare LF": (MIXED, multipart(FRAMES, newline=b"\n")),
    "no Content-Length": (MIXED, multipart(FRAMES, content_length=False)),
    "bare LF, no Content-Length": (MIXED, multipart(FRAMES, newline=b"\n", content_length=False)),
    "no part headers": (MIXED, multipart(FRAMES, headers=False)),
    "junk between parts": (MIXED, multipart(FRAMES, junk=b"\xff\xd8junk\r\n--fra\r\n")),
    "junk, no Content-Length": (
        MIXED,
        multipart(FRAMES, junk=b"junk\r\n", content_length=False),
    ),
    "closing delimiter": (MIXED, multipart(FRAMES)[: -len("--frame\r\n")] + b"--frame--\r\n"),
    "boundary glued to the image": (
        MIXED,
        b"".join(b"--frame\r\n\r\n" + frame for frame in FRAMES) + b"--frame\r\n",
    ),
    "raw JPEGs": ("application/octet-stream", b"".join(FRAMES)),
    "raw JPEGs with junk": (None, b"".join(b"junk\xff\x00\xff" + frame for frame in FRAMES)),
    "multipart without boundary": ("multipart/x-mixed-replace", multipart(FRAMES)),
}


@pytest.mark.parametrize("chunk", CHUNK_SIZES)
@pytest.mark.parametrize("camera", CAMERAS)
def test_every_camera_style_yields_every_frame(camera: str, chunk: int) -> None:
    content_type, data = CAMERAS[camera]
    assert parse(content_type, data, chunk) == FRAMES


@pytest.mark.parametrize("chunk", CHUNK_SIZES)
def test_a_snapshot_is_one_frame(chunk: int) -> None:
    assert parse("image/jpeg", FRAMES[0], chunk) == [FRAMES[0]]


@pytest.mark.parametrize("chunk", CHUNK_SIZES)
@pytest.mark.parametrize("frame", [WITH_THUMBNAIL, PROGRESSIVE], ids=["thumbnail", "progressive"])
def test_raw_stream_frames_are_whole(frame: bytes, chunk: int) -> None:
    assert parse(None, frame + FRAMES[0] + frame, chunk) == [frame, FRAMES[0], frame]


def test_raw_stream_drops_an_image_cut_short_by_the_next() -> None:
    truncated = FRAMES[0][: len(FRAMES[0]) // 2]
    assert parse(None, truncated + FRAMES[1], 7) == [FRAMES[1]]


def test_delimiter_inside_a_part_without_line_break_is_data() -> None:
    parser = MultipartParser("frame", MAX)
    data = b"--frame\r\n\r\nabc--frame-not-a-delimiter\r\n--frame\r\n\r\nxyz\r\n--frame\r\n"
    assert feed(parser, data, 3) == [b"abc--frame-not-a-delimiter", b"xyz"]


@pytest.mark.parametrize("chunk", CHUNK_SIZES)
@pytest.mark.parametrize(
    "camera",
    [
        (MIXED, multipart),
        (MIXED, lambda frames: multipart(frames, content_length=False)),
        (None, b"".join),
    ],
    ids=["Content-Length", "delimited", "raw"],
)
def test_oversized_frames_are_skipped(camera: tuple[str | None, object], chunk: int) -> None:
    content_type, build = camera
    big = noisy_jpeg(1, (400, 300))
    limit = len(big) - 1
    assert len(FRAMES[0]) < limit
    parser = parser_for(content_type, limit)
    frames = feed(parser, build([FRAMES[0], big, FRAMES[1]]), chunk)  # type: ignore[operator]
    assert frames == [FRAMES[0], FRAMES[1]]
    assert parser.skipped == 1


def endless_part(frame_start: bytes, filler: bytes, megabytes: int) -> list[bytes]:
    return [frame_start] + [filler * (1024 * 1024 // len(filler))] * megabytes


@pytest.mark.parametrize(
    ("parser", "start"),
    [
        (MultipartParser("frame", 64 * 1024), b"--frame\r\n\r\n"),
        (MultipartParser("frame", 64 * 1024), b"--frame\r\nContent-Length: 99999999\r\n\r\n"),
        (JpegScanner(64 * 1024), FRAMES[0][:-2]),
        (JpegScanner(64 * 1024), b""),
    ],
    ids=["endless part", "huge Content-Length", "endless image", "junk only"],
)
def test_memory_stays_bounded(parser: FrameParser, start: bytes) -> None:
    largest = 0
    for chunk in endless_part(start, b"\x12\xff\x00\x34" * 1024, 20):
        assert parser.feed(chunk) == []
        largest = max(largest, parser.buffered)
    assert largest <= 64 * 1024 + 1024 * 1024


@pytest.mark.parametrize("boundary", ["", "--", "  ", "grüß"])
def test_unusable_boundaries_fall_back_to_scanning_for_images(boundary: str) -> None:
    content_type = f'multipart/x-mixed-replace; boundary="{boundary}"'
    assert isinstance(parser_for(content_type, MAX), JpegScanner)
    with pytest.raises(ValueError, match="boundary"):
        MultipartParser(boundary, MAX)
