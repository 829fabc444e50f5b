"""Checking an uploaded photo and making its renditions, with Pillow.

An upload is refused with a code of alliance.errors before anything is stored: more bytes
than PHOTO_MAX_BYTES (``photo_too_large``), not an image Pillow can read (``photo_not_image``),
an image that is not JPEG, PNG or WebP (``photo_unsupported_format``), or more pixels than
PHOTO_MAX_PIXELS (``photo_too_many_pixels``). The pixel count is read from the header, before
the image is decoded, so a small file that unpacks into gigabytes (a decompression bomb) costs
nothing; Pillow's own bomb guard (DecompressionBombWarning/Error) is answered the same way.

What is kept: the image turned upright (EXIF orientation applied) and re-encoded without its
metadata (camera, GPS position, time), and two smaller renditions as JPEG or, for images with
transparency, PNG.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from alliance.errors import ValidationFailed

#: Pillow format name -> (file extension, save options) of the stored original.
FORMATS = {
    "JPEG": ("jpg", {"quality": 88, "optimize": True}),
    "PNG": ("png", {"optimize": True}),
    "WEBP": ("webp", {"quality": 88}),
}
#: Rendition name -> longest side in pixels.
RENDITIONS = {"medium": 1280, "thumbnail": 320}


@dataclass(frozen=True)
class EncodedImage:
    content: bytes
    extension: str
    width: int
    height: int


@dataclass(frozen=True)
class ProcessedPhoto:
    original: EncodedImage
    renditions: dict[str, EncodedImage]


def _refuse(code: str, **params: object) -> ValidationFailed:
    return ValidationFailed(code, params=params or None, fields={"image": [code]})


def photo_size_check(size: int) -> None:
    if size > settings.PHOTO_MAX_BYTES:
        raise _refuse("photo_too_large", megabytes=settings.PHOTO_MAX_BYTES // (1024 * 1024))


def _opened(stream: IO[bytes]) -> Image.Image:
    """Open (header only) and check format and pixel count; decoding comes later."""
    try:
        with warnings.catch_warnings():
            # Pillow warns above its own limit and raises above twice it; ours is checked
            # below either way, so its warning must not escape (warnings are errors in tests).
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(stream)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse("photo_too_many_pixels", pixels=settings.PHOTO_MAX_PIXELS) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _refuse("photo_not_image") from None
    if image.format not in FORMATS:
        raise _refuse("photo_unsupported_format")
    if image.width * image.height > settings.PHOTO_MAX_PIXELS:
        raise _refuse("photo_too_many_pixels", pixels=settings.PHOTO_MAX_PIXELS)
    return image


def _encode(image: Image.Image, pillow_format: str) -> EncodedImage:
    extension, options = FORMATS[pillow_format]
    out = io.BytesIO()
    image.save(out, format=pillow_format, **options)  # no exif=, so no metadata is written
    return EncodedImage(out.getvalue(), extension, image.width, image.height)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _storable(image: Image.Image, pillow_format: str) -> Image.Image:
    """The image in a mode ``pillow_format`` can write."""
    if pillow_format == "JPEG":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    return image.convert("RGBA" if _has_alpha(image) else "RGB")


def photo_process(stream: IO[bytes]) -> ProcessedPhoto:
    """Check the upload and make what is stored, or raise ValidationFailed (see module)."""
    image = _opened(stream)
    pillow_format = image.format
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse("photo_too_many_pixels", pixels=settings.PHOTO_MAX_PIXELS) from None
    except (OSError, ValueError, SyntaxError):  # truncated or corrupt data
        raise _refuse("photo_not_image") from None
    original = _encode(_storable(upright, pillow_format), pillow_format)
    rendition_format = "PNG" if _has_alpha(upright) else "JPEG"
    renditions = {}
    for name, side in RENDITIONS.items():
        smaller = upright.copy()
        smaller.thumbnail((side, side), Image.Resampling.LANCZOS)
        renditions[name] = _encode(_storable(smaller, rendition_format), rendition_format)
    return ProcessedPhoto(original=original, renditions=renditions)
