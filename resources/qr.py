"""The check-in QR code printed for each resource, and the web addresses it leads to.

The code holds the absolute URL of the web app's check-in page of the resource,
``https://<site>/r/<id>/check-in/?code=<checkin_code>``: a phone's camera or WeChat opens
it in a browser, and the mini-program opens its own check-in page for the same URL (its
"scan ordinary link QR codes" rule for the ``/r/`` prefix reads ``code``). Scanning it proves
that the booker stands at the resource. Resetting the code (resources.services) invalidates
every print made before.

Who sees the code-bearing URL in the API (``check_in_url``): the managers of the resource's
unit and the secretariat, who print it. Everyone else gets the resource's page
``/r/<id>/``: the code is no secret from whoever stands before the sticker, but the
catalogue must not hand it to every member, or anyone could check in from afar.

segno renders pure-Python SVG, so printing needs no image library. The encoding is
deterministic: the same payload always gives the same symbol, which the tests rely on.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode, urljoin

import segno

from alliance.access import member_can_manage_resource
from alliance.models import Member
from resources.models import Resource

#: The web app's routes (Django path syntax, no leading slash), for web.urls to route:
#: the resource's page, and its check-in page with the printed code in CHECKIN_CODE_PARAM.
RESOURCE_WEB_PATH = "r/<int:resource_id>/"
CHECKIN_WEB_PATH = "r/<int:resource_id>/check-in/"
CHECKIN_CODE_PARAM = "code"
#: Error correction M (15 %): survives a smudged or partly covered print.
ERROR_LEVEL = "m"


def resource_page_path(resource_id: int) -> str:
    """``/r/<id>/``: the web page of a resource."""
    return "/" + RESOURCE_WEB_PATH.replace("<int:resource_id>", str(resource_id))


def checkin_path(resource: Resource) -> str:
    """``/r/<id>/check-in/?code=<checkin_code>``; the code is URL-safe."""
    path = CHECKIN_WEB_PATH.replace("<int:resource_id>", str(resource.pk))
    return f"/{path}?{urlencode({CHECKIN_CODE_PARAM: resource.checkin_code})}"


def checkin_payload(resource: Resource, *, base_url: str) -> str:
    """What the QR code holds: the absolute check-in URL under ``base_url`` (the site's
    root, e.g. ``request.build_absolute_uri("/")``)."""
    return urljoin(base_url, checkin_path(resource))


def check_in_url_for(resource: Resource, *, member: Member | None, base_url: str) -> str:
    """The ``check_in_url`` a caller sees: the printed URL, code included, for whoever may
    manage the resource (to print it); the resource's page for everyone else. No query
    when ``member.unit`` is loaded."""
    if member_can_manage_resource(member, resource):
        return checkin_payload(resource, base_url=base_url)
    return urljoin(base_url, resource_page_path(resource.pk))


def checkin_qr(resource: Resource, *, base_url: str) -> segno.QRCode:
    """The QR symbol of the resource's check-in payload (never a Micro QR: phones read
    only full QR codes reliably)."""
    return segno.make(checkin_payload(resource, base_url=base_url), error=ERROR_LEVEL, micro=False)


def checkin_qr_svg(resource: Resource, *, base_url: str, scale: int = 10) -> bytes:
    """A standalone SVG document (with XML declaration) to download and print."""
    out = io.BytesIO()
    checkin_qr(resource, base_url=base_url).save(
        out, kind="svg", scale=scale, border=4, title=resource.name, xmldecl=True
    )
    return out.getvalue()


def checkin_qr_svg_inline(resource: Resource, *, base_url: str, scale: int = 8) -> str:
    """An ``<svg>`` element for an HTML page; its markup is segno's own (no user text)."""
    return checkin_qr(resource, base_url=base_url).svg_inline(
        scale=scale, border=4, svgclass="checkin-qr"
    )
