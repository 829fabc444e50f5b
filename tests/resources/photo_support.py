"""Images made in memory with Pillow for the photo tests (the ``media_root`` fixture, in
tests/conftest.py, gives each test a MEDIA_ROOT of its own)."""

from __future__ import annotations

import io

from PIL import Image

ORIENTATION = 0x0112
MAKE = 0x010F


def stored_files(root) -> list[str]:
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def image_bytes(
    size=(40, 20), *, format="JPEG", mode="RGB", color=(200, 30, 30), exif=None
) -> bytes:
    out = io.BytesIO()
    image = Image.new(mode, size, color if mode != "RGBA" else (*color, 128))
    options = {"exif": exif} if exif is not None else {}
    image.save(out, format=format, **options)
    return out.getvalue()


def camera_jpeg(size=(40, 20)) -> bytes:
    """A landscape JPEG whose EXIF says "rotate 90° to view" and names the camera."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[MAKE] = "Canon"
    return image_bytes(size, exif=exif)
