"""Validating images and making thumbnails (Pillow only).

An image is accepted only when Pillow decodes all of it: `Image.verify()` passes truncated
JPEGs, `load()` does not. JPEGs are decoded with DCT scaling (`draft`): libjpeg still reads
every entropy-coded block, so truncated and corrupt files fail exactly as with a full
decode, but at a fraction of the cost and already close to thumbnail size, which is what
lets a camera push hundreds of frames a second. Oversized images (decompression bombs) are
refused before any pixel is decoded."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import BinaryIO, cast

from PIL import Image, ImageOps, UnidentifiedImageError

from amarcord.domain.errors import Loc, ValidationFailed

THUMBNAIL_BOUND = 256
_THUMBNAIL_JPEG_QUALITY = 80
# The image types sniffed in `amarcord.domain.mime` that Pillow decodes; Pillow tries no
# other format (EPS, for example, would run Ghostscript).
PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/tiff": "TIFF",
}
_HIGH_DEPTH_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N", "F"})
_SWAPS_AXES = frozenset({5, 6, 7, 8})
_EXIF_ORIENTATION = 0x0112
# What Pillow's decoders raise on malformed input besides OSError (corrupt TIFF directories,
# broken PNG chunks, bad palette indexes); none of them may become a 500.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, KeyError)


@dataclass(frozen=True)
class ImageInfo:
    """Size as displayed (EXIF orientation applied) and a thumbnail of at most 256 px."""

    width: int
    height: int
    thumbnail: bytes
    thumbnail_mime: str


def inspect_image(source: BinaryIO, mime: str, *, loc: Loc) -> ImageInfo:
    """Decodes the image in `source`, whose sniffed type is `mime`; raises `ValidationFailed`
    at `loc` when it cannot be decoded or has more than `Image.MAX_IMAGE_PIXELS` pixels."""
    pillow_format = PILLOW_FORMATS.get(mime)
    if pillow_format is None:
        raise ValidationFailed.single(loc, f"{mime} is not an image type this server decodes")
    try:
        with Image.open(source, formats=[pillow_format]) as image:
            _refuse_bombs(image)
            return _decode(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationFailed.single(loc, _too_many_pixels()) from error
    except UnidentifiedImageError as error:
        msg = f"the content starts like {mime} but is not a readable image"
        raise ValidationFailed.single(loc, msg) from error
    except _DECODE_ERRORS as error:
        msg = f"the image is truncated or corrupt ({error})"
        raise ValidationFailed.single(loc, msg) from error


# `decodes_quickly`: at most this many bytes and this many decoded pixels (a JPEG decodes at
# 1/8 x 1/8 scale, see `_draft_size`) take a few milliseconds of CPU here.
QUICK_BYTES = 256 * 1024
QUICK_PIXELS = 1_000_000


def decodes_quickly(data: bytes, mime: str) -> bool:
    """Whether `inspect_image` finishes `data` in a few milliseconds, judged from its size and
    header alone (about 30 µs): a caller can then decode it where it is instead of handing it
    to a thread. Zlib and JPEG bombs are small files with many pixels, hence the pixel bound;
    unreadable headers count as quick, since `inspect_image` refuses them at once."""
    pillow_format = PILLOW_FORMATS.get(mime)
    if pillow_format is None:
        return True
    if len(data) > QUICK_BYTES:
        return False
    try:
        with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
            width, height = image.size
    except (Image.DecompressionBombError, UnidentifiedImageError, *_DECODE_ERRORS):
        return True
    scale = 64 if pillow_format == "JPEG" else 1
    return width * height <= QUICK_PIXELS * scale


def _too_many_pixels() -> str:
    return f"the image has more than {Image.MAX_IMAGE_PIXELS} pixels"


def _refuse_bombs(image: Image.Image) -> None:
    # Pillow only warns between 1x and 2x the limit, and a warning decodes anyway.
    width, height = image.size
    if Image.MAX_IMAGE_PIXELS is not None and width * height > Image.MAX_IMAGE_PIXELS:
        raise Image.DecompressionBombError(_too_many_pixels())


def _decode(image: Image.Image) -> ImageInfo:
    width, height = image.size
    if image.getexif().get(_EXIF_ORIENTATION) in _SWAPS_AXES:
        width, height = height, width
    if image.format == "JPEG":
        image.draft(image.mode, _draft_size(image.size))
    image.load()
    ImageOps.exif_transpose(image, in_place=True)
    thumbnail, thumbnail_mime = _thumbnail(image)
    return ImageInfo(width, height, thumbnail, thumbnail_mime)


def _draft_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size that makes libjpeg scale down as far as possible while the long side stays
    at least half the thumbnail bound (1280x1024 decodes at 160x128)."""
    scale = max(1, min(8, max(size) * 2 // THUMBNAIL_BOUND))
    return max(1, size[0] // scale), max(1, size[1] // scale)


def _thumbnail(image: Image.Image) -> tuple[bytes, str]:
    picture = _displayable(image)
    picture.thumbnail((THUMBNAIL_BOUND, THUMBNAIL_BOUND))
    out = io.BytesIO()
    if picture.mode == "RGBA":
        picture.save(out, "PNG", optimize=False)
        return out.getvalue(), "image/png"
    picture.save(out, "JPEG", quality=_THUMBNAIL_JPEG_QUALITY)
    return out.getvalue(), "image/jpeg"


def _displayable(image: Image.Image) -> Image.Image:
    """8-bit grey, RGB or RGBA: detector images come as 16-bit or float greyscale, which
    would otherwise clip to white."""
    if image.mode in _HIGH_DEPTH_MODES:
        return _stretch_to_grey(image)
    if image.has_transparency_data:
        return image.convert("RGBA")
    if image.mode in ("L", "RGB"):
        return image
    return image.convert("RGB")


def _stretch_to_grey(image: Image.Image) -> Image.Image:
    wide = image.convert("F")
    low, high = cast(tuple[float, float], wide.getextrema())
    span = high - low or 1.0
    return wide.point(lambda value: (value - low) * 255.0 / span).convert("L")
