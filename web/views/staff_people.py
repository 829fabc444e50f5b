"""The staff area's people pages (/staff/people/…): a unit's members, inviting one (the code
and its QR code), importing a sheet (upload, preview, confirm, report), and the row actions
(deactivate, reactivate, change role, a new invite code) with htmx.

Unit managers see their own unit, the secretariat any unit it picks; everyone else gets 403.
Every rule is in alliance.access and the services; these views parse, call and render.
"""

from __future__ import annotations

import base64
import binascii
import io
from typing import TYPE_CHECKING

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alliance.access import (
    member_can_change_role,
    member_can_issue_invite,
    member_can_set_member_active,
    member_import_roles,
)
from alliance.errors import AccessDenied, DomainError, NotFound, ValidationFailed
from alliance.member_import import (
    XLSX_CONTENT_TYPE,
    import_report_workbook,
    import_template_workbook,
    members_import,
)
from alliance.models import Member, MemberRole
from alliance.people import (
    invite_qr_payload,
    member_deactivate,
    member_reactivate,
    member_role_change,
    people_units,
    unit_people,
    unit_person,
)
from alliance.tokens import Invitation, member_invite, member_invite_renew
from web.auth import member_required, web_member

if TYPE_CHECKING:
    from django.http import HttpRequest

    from alliance.models import Unit


def _staff(request: HttpRequest) -> tuple[Member, list[Unit]]:
    """The signed-in member and the units whose people they manage; 403 if none."""
    member = web_member(request)
    units = list(people_units(actor=member))
    if not units:
        raise PermissionDenied
    return member, units


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _chosen_unit(units: list[Unit], value: str | None) -> Unit:
    """The unit asked for (``?unit=``) among the actor's, else the first (a manager's own)."""
    wanted = _int(value)
    for unit in units:
        if unit.pk == wanted:
            return unit
    if wanted is not None:
        raise Http404
    return units[0]


def _row_rights(actor: Member, member: Member) -> Member:
    """Mark what the actor may do to this row, for the template (no queries)."""
    member.may_set_active = member_can_set_member_active(actor, member)
    member.may_change_role = member_can_change_role(actor, member)
    member.may_invite = not member.wechat_openid and member_can_issue_invite(actor, member)
    return member


@member_required
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    actor, units = _staff(request)
    unit = _chosen_unit(units, request.GET.get("unit"))
    listing = unit_people(actor=actor, unit_id=unit.pk)
    return render(
        request,
        "web/staff/people.html",
        {
            "unit": unit,
            "units": units,
            "members": [_row_rights(actor, member) for member in listing.members],
            "roles": MemberRole.choices,
            "may_pick_unit": len(units) > 1,
            "invite_roles": _invite_roles(actor, unit),
        },
    )


def _invite_roles(actor: Member, unit: Unit) -> list[tuple[str, str]]:
    """The roles the actor may give a new member of the unit."""
    allowed = member_import_roles(actor, unit.pk)
    return [(value, label) for value, label in MemberRole.choices if value in allowed]


def _qr_svg(code: str) -> str:
    qr = segno.make(invite_qr_payload(code), error="m", micro=False)
    return mark_safe(qr.svg_inline(scale=5, title=_("Invite QR code")))  # noqa: S308 - segno's own SVG


def _invitation_page(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    return render(
        request,
        "web/staff/people_invitation.html",
        {
            "invitation": invitation,
            "member": invitation.member,
            "qr_svg": _qr_svg(invitation.code),
            "qr_payload": invite_qr_payload(invitation.code),
        },
    )


@member_required
def invite(request: HttpRequest) -> HttpResponse:
    """GET: the form; POST: create the member and show their invite code and QR code."""
    actor, units = _staff(request)
    unit = _chosen_unit(units, request.POST.get("unit") or request.GET.get("unit"))
    context = {"unit": unit, "roles": _invite_roles(actor, unit), "values": request.POST}
    if request.method == "POST":
        try:
            invitation = member_invite(
                actor=actor,
                unit_id=unit.pk,
                name=request.POST.get("name", ""),
                role=request.POST.get("role", MemberRole.RESEARCHER),
                phone=request.POST.get("phone", ""),
            )
        except AccessDenied:
            raise PermissionDenied from None
        except DomainError as exc:
            context["error"] = exc.message
            context["fields"] = exc.extra.get("fields", {})
            return render(request, "web/staff/people_invite.html", context, status=400)
        return _invitation_page(request, invitation)
    return render(request, "web/staff/people_invite.html", context)


@member_required
@require_POST
def invite_renew(request: HttpRequest, member_id: int) -> HttpResponse:
    actor, _units = _staff(request)
    try:
        invitation = member_invite_renew(actor=actor, member_id=member_id)
    except AccessDenied:
        raise PermissionDenied from None
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("web:staff-people"))
    return _invitation_page(request, invitation)


def _row_action(request: HttpRequest, member_id: int, action) -> HttpResponse:
    """Run a row action; answer the row again (htmx) or go back to the list."""
    actor, _units = _staff(request)
    error = ""
    try:
        action(actor, member_id)
    except AccessDenied:
        raise PermissionDenied from None
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        error = exc.message
    person = unit_person(actor=actor, member_id=member_id)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Saved."))
        return redirect(f"{reverse('web:staff-people')}?unit={person.unit_id}")
    return render(
        request,
        "web/staff/people_row.html",
        {"person": _row_rights(actor, person), "roles": MemberRole.choices, "row_error": error},
    )


@member_required
@require_POST
def deactivate(request: HttpRequest, member_id: int) -> HttpResponse:
    return _row_action(
        request, member_id, lambda actor, pk: member_deactivate(actor=actor, member_id=pk)
    )


@member_required
@require_POST
def reactivate(request: HttpRequest, member_id: int) -> HttpResponse:
    return _row_action(
        request, member_id, lambda actor, pk: member_reactivate(actor=actor, member_id=pk)
    )


@member_required
@require_POST
def change_role(request: HttpRequest, member_id: int) -> HttpResponse:
    role = request.POST.get("role", "")
    return _row_action(
        request,
        member_id,
        lambda actor, pk: member_role_change(actor=actor, member_id=pk, role=role),
    )


# --- Import -------------------------------------------------------------------------------

ALLIANCE = "alliance"


def _import_unit_id(units: list[Unit], value: str | None) -> int | None:
    """The unit to import into, or None for the secretariat's alliance-wide import."""
    if value == ALLIANCE and len(units) > 1:
        return None
    return _chosen_unit(units, value).pk


@member_required
def import_members(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST ``step=preview`` with a file: the report, nothing written,
    and the file kept in the page to confirm; POST ``step=commit``: import it and show the
    report with the invite codes (and as a workbook to download)."""
    actor, units = _staff(request)
    choice = request.POST.get("unit") or request.GET.get("unit")
    unit_id = _import_unit_id(units, choice)
    context = {
        "units": units,
        "unit_id": unit_id,
        "unit_choice": ALLIANCE if unit_id is None else str(unit_id),
        "may_pick_unit": len(units) > 1,
        "alliance": ALLIANCE,
    }
    if request.method != "POST":
        return render(request, "web/staff/people_import.html", context)
    step = request.POST.get("step")
    if step == "preview":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("Choose the sheet to import.")
            return render(request, "web/staff/people_import.html", context, status=400)
        content = upload.read()
    else:
        try:
            content = base64.b64decode(request.POST.get("sheet", ""), validate=True)
        except (binascii.Error, ValueError):
            content = b""
    try:
        report = members_import(
            actor=actor, unit_id=unit_id, file=io.BytesIO(content), commit=step == "commit"
        )
    except AccessDenied:
        raise PermissionDenied from None
    except NotFound:
        raise Http404 from None
    except ValidationFailed as exc:
        report = getattr(exc, "report", None)
        context.update(error=exc.message, report=report)
        if report is not None:
            context["sheet"] = base64.b64encode(content).decode()
            return render(request, "web/staff/people_import_report.html", context, status=400)
        return render(request, "web/staff/people_import.html", context, status=400)
    context["report"] = report
    if report.committed:
        workbook = base64.b64encode(import_report_workbook(report)).decode()
        context["download"] = f"data:{XLSX_CONTENT_TYPE};base64,{workbook}"
    else:
        context["sheet"] = base64.b64encode(content).decode()
    return render(request, "web/staff/people_import_report.html", context)


@member_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    _actor, units = _staff(request)
    with_unit = request.GET.get("unit") == ALLIANCE and len(units) > 1
    response = HttpResponse(
        import_template_workbook(with_unit=with_unit), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = 'attachment; filename="members-import.xlsx"'
    return response
