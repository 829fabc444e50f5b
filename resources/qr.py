"""The check-in QR code printed for each resource.

The code holds the mini-program page that checks a booker in, with the resource's id and
its ``checkin_code``: scanning it proves that the booker stands at the resource. Resetting
the code (resources.services) invalidates every print made before.

segno renders pure-Python SVG, so printing needs no image library. The encoding is
deterministic: the same payload always gives the same symbol, which the tests rely on.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno

from resources.models import Resource

#: The mini-program page that the QR code opens (app.json route, no leading slash).
CHECKIN_PAGE = "pages/checkin/index"
#: Error correction M (15 %): survives a smudged or partly covered print.
ERROR_LEVEL = "m"


def checkin_payload(resource: Resource) -> str:
    """``pages/checkin/index?resource=<id>&code=<checkin_code>``; the code is URL-safe."""
    return f"{CHECKIN_PAGE}?{urlencode({'resource': resource.pk, 'code': resource.checkin_code})}"


def checkin_qr(resource: Resource) -> segno.QRCode:
    """The QR symbol of the resource's check-in payload (never a Micro QR: phones read
    only full QR codes reliably)."""
    return segno.make(checkin_payload(resource), error=ERROR_LEVEL, micro=False)


def checkin_qr_svg(resource: Resource, *, scale: int = 10) -> bytes:
    """A standalone SVG document (with XML declaration) to download and print."""
    out = io.BytesIO()
    checkin_qr(resource).save(
        out, kind="svg", scale=scale, border=4, title=resource.name, xmldecl=True
    )
    return out.getvalue()


def checkin_qr_svg_inline(resource: Resource, *, scale: int = 8) -> str:
    """An ``<svg>`` element for an HTML page; its markup is segno's own (no user text)."""
    return checkin_qr(resource).svg_inline(scale=scale, border=4, svgclass="checkin-qr")


def resource_check_in_path(resource: Resource) -> str:
    """``/r/<id>/check-in/?code=<checkin_code>``: the web page that checks a booker in (the
    web app's ``web:check-in`` route, written here because resources sits below web).
    The API's ``check_in_url`` and the printed QR code are built from it."""
    return f"/r/{resource.pk}/check-in/?{urlencode({'code': resource.checkin_code})}"
