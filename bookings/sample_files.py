"""What a sample order's report file may be (bookings.samples), decided by its content, never
by the name or the content type the browser claims.

- PDF: starts with ``%PDF-``.
- Images (JPEG, PNG, WebP): Pillow identifies and verifies them, within PHOTO_MAX_PIXELS.
- Word and Excel (.docx, .xlsx): a zip whose directory holds ``[Content_Types].xml`` and
  the document's main part (``word/document.xml``, ``xl/workbook.xml``); only the directory
  is read, nothing is decompressed.
- Legacy Word and Excel (.doc, .xls): the OLE compound-file signature, with a matching name.

At most SAMPLE_REPORT_MAX_BYTES each (``sample_report_too_large``); anything else is
``sample_report_type``, a file that claims a type and is broken ``sample_report_unreadable``.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from alliance.errors import ValidationFailed

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OLE_TYPES = {".doc": "application/msword", ".xls": "application/vnd.ms-excel"}
NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class CheckedFile:
    name: str  # the uploader's file name, without folders, for showing and downloading
    content_type: str
    content: bytes


def _refuse(code: str, **params: object) -> ValidationFailed:
    return ValidationFailed(code, params=params or None, fields={"files": [code]})


def report_size_check(size: int) -> None:
    if size > settings.SAMPLE_REPORT_MAX_BYTES:
        raise _refuse(
            "sample_report_too_large", megabytes=settings.SAMPLE_REPORT_MAX_BYTES // (1024 * 1024)
        )


def _clean_name(name: str) -> str:
    base = PureWindowsPath(PurePosixPath(str(name or "")).name).name
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "report"
    if len(base) > NAME_MAX_LENGTH:
        stem, dot, suffix = base.rpartition(".")
        base = (stem[: NAME_MAX_LENGTH - len(suffix) - 1] + dot + suffix) if dot else base
        base = base[:NAME_MAX_LENGTH]
    return base


def _image_type(content: bytes) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            if image.format not in IMAGE_TYPES:
                return None
            if image.width * image.height > settings.PHOTO_MAX_PIXELS:
                raise _refuse("sample_report_unreadable")
            image.verify()
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    except (OSError, ValueError, SyntaxError, SyntaxWarning):
        raise _refuse("sample_report_unreadable") from None
    return IMAGE_TYPES[image.format]


def _office_type(content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse("sample_report_unreadable") from None
    if "[Content_Types].xml" not in names:
        raise _refuse("sample_report_type")
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    raise _refuse("sample_report_type")


def report_file_check(*, name: str, content: bytes) -> CheckedFile:
    """The file's type by content, or ValidationFailed (see the module)."""
    report_size_check(len(content))
    if not content:
        raise _refuse("sample_report_unreadable")
    clean = _clean_name(name)
    if content.startswith(PDF_MAGIC):
        return CheckedFile(clean, "application/pdf", content)
    if content.startswith(ZIP_MAGIC):
        return CheckedFile(clean, _office_type(content), content)
    if content.startswith(OLE_MAGIC):
        content_type = OLE_TYPES.get(PurePosixPath(clean.lower()).suffix)
        if content_type is None:
            raise _refuse("sample_report_type")
        return CheckedFile(clean, content_type, content)
    content_type = _image_type(content)
    if content_type is None:
        raise _refuse("sample_report_type")
    return CheckedFile(clean, content_type, content)
