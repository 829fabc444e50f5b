"""The project's error vocabulary: every machine-readable code and its translated message.

Services raise these domain errors; one exception handler (api.exceptions) turns them into
API answers and the admin shows their message. Codes are stable: the mini-program matches
on them. Messages are translated (zh-hans first, English available) when rendered.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    # Input
    "invalid": _("The request is not valid."),
    "parse_error": _("The request body is not valid JSON."),
    "naive_datetime": _("Times must carry a UTC offset."),
    "invalid_interval": _("The end must be after the start."),
    "invalid_range": _("The date range is not valid."),
    "range_too_long": _("The date range may span at most %(days)s days."),
    # Scheduler rules
    "conflict": _("The resource is already booked for part of this time."),
    "outside_opening_hours": _("The resource is not open for the whole of this time."),
    "closed": _("The resource is closed for part of this time: %(reason)s."),
    "too_short": _("A booking of this resource lasts at least %(minutes)s minutes."),
    "too_long": _("A booking of this resource lasts at most %(minutes)s minutes."),
    "not_on_slot_boundary": _(
        "Bookings of this resource start and end on multiples of %(minutes)s minutes."
    ),
    "too_little_notice": _("This resource must be booked at least %(minutes)s minutes ahead."),
    "too_far_ahead": _("This resource can be booked at most %(days)s days ahead."),
    "in_the_past": _("The booking would start in the past."),
    "not_allowed_for_unit": _("Your unit may not book this resource."),
    "resource_retired": _("This resource has been retired and can no longer be booked."),
    "too_many_attendees": _("This resource takes at most %(capacity)s people."),
    "member_inactive": _("Your membership is not active."),
    "resource_busy": _("The resource is busy with another request; please try again."),
    # Lifecycle
    "invalid_transition": _("This booking is %(status)s; it cannot be %(action)s."),
    "already_started": _("The booking has already started."),
    "check_in_code_invalid": _("This QR code does not belong to the booked resource."),
    "check_in_not_open": _("Check-in opens %(minutes)s minutes before the booking starts."),
    "check_in_closed": _("Check-in has closed for this booking."),
    "not_checked_in": _("The booking has not been checked in."),
    "not_due": _("This booking is not due for that yet."),
    # Administration of units, members and resources
    "unit_name_taken": _("A member unit with this name already exists."),
    "unit_inactive": _("This member unit is no longer active."),
    "username_taken": _("This username is already taken."),
    "weak_password": _("The password is too weak."),
    "last_secretariat": _("The alliance needs at least one active secretariat member."),
    "resource_name_taken": _("The unit already has a resource with this name."),
    "invalid_rules": _("The booking rules of the resource do not fit together."),
    "invalid_opening_hours": _(
        "Each opening window needs a weekday and must end after it starts (00:00 means midnight)."
    ),
    "overlapping_opening_hours": _("Opening windows on the same day must not overlap."),
    # Notifications
    "unknown_template": _("The alliance sends no messages with template %(template_id)s."),
    # Sign-in
    "wechat_code_invalid": _("The WeChat sign-in code is invalid or was already used."),
    "wechat_rate_limited": _("WeChat is limiting sign-ins right now; please try again shortly."),
    "wechat_unavailable": _("WeChat cannot be reached right now; please try again later."),
    "invite_code_invalid": _("This invite code is not valid."),
    "invite_code_used": _("This invite code has already been used."),
    "invite_code_expired": _("This invite code has expired; please ask for a new one."),
    "already_bound": _("This WeChat account is already linked to a member."),
    "member_already_bound": _("This member is already linked to another WeChat account."),
    "invalid_credentials": _(
        "The username or the password is wrong. Researchers sign in with the mini-program."
    ),
    "not_bound": _("Please link your WeChat account to your membership with an invite code."),
    # Access
    "not_authenticated": _("Please sign in."),
    "permission_denied": _("You are not allowed to do this."),
    "no_member_profile": _(
        "Your account has no member profile, so it cannot act on bookings; "
        "ask the secretariat to create one."
    ),
    "not_found": _("Not found."),
    "server_error": _("Something went wrong on our side. Please try again."),
    # Deactivated member units (issue 7, access)
    "actor_unit_inactive": _("Your member unit is no longer active, so you cannot do this."),
    "booking_unit_inactive": _("The booker's member unit is no longer active."),
    "resource_unit_inactive": _(
        "The member unit that shares this resource is no longer active, so it cannot be booked."
    ),
    "unit_has_secretariat": _(
        "This member unit has active secretariat members; move or deactivate them first."
    ),
    # Idempotent writes (api.idempotency)
    "idempotency_key_invalid": _(
        "The Idempotency-Key header must be 1 to 255 printable ASCII characters."
    ),
    "idempotency_key_reused": _(
        "This Idempotency-Key was already used with a different request; "
        "use a new key for a new request."
    ),
    "idempotency_in_progress": _(
        "A request with this Idempotency-Key is still being processed; retry shortly."
    ),
    "idempotency_answer_lost": _(
        "The answer to this Idempotency-Key can no longer be read; check whether the "
        "request took effect before sending it again with a new key."
    ),
    # Limits across every server (issue 7: alliance.ratelimit, the WeChat circuit breaker)
    "booking_rate_limited": _("You are requesting bookings too quickly; please wait a moment."),
    "sign_in_rate_limited": _(
        "Too many failed sign-in attempts; please try again in %(minutes)s minutes."
    ),
    # Failure answers: outages, oversized bodies, unsafe text (issue 7, section 4)
    "database_unavailable": _(
        "The service cannot reach its database right now; please try again shortly."
    ),
    "cache_unavailable": _("The service cannot reach its cache right now."),
    "payload_too_large": _("The request body is too large."),
    "invalid_characters": _(
        "The text contains control or text-direction characters, which are not allowed."
    ),
    # Input the schema does not allow (issue 7, schema fuzzing)
    "unknown_field": _("The request has fields this endpoint does not accept."),
    # Web sign-in by scanning a challenge (issue 8, alliance.web_sign_in)
    "challenge_invalid": _("This sign-in code is not valid."),
    "challenge_expired": _("This sign-in code has expired; please refresh the sign-in page."),
    "challenge_used": _("This sign-in code has already been used."),
    "too_many_challenges": _(
        "Too many sign-in codes were requested from here; please try again in %(minutes)s minutes."
    ),
    # Search by time: why a resource has no bookable slot in the window (issue 8)
    "not_open_in_window": _("The resource is not open long enough in this window."),
    "closed_in_window": _("The resource is closed in this window: %(reason)s."),
    "fully_booked": _("Every slot of this length in this window is already booked."),
    # Resource photos (issue 8: resources.images, resources.photos)
    "photo_not_image": _("The file is not an image, or it is damaged."),
    "photo_too_large": _("The photo is too large; it may be at most %(megabytes)s MB."),
    "photo_too_many_pixels": _(
        "The photo has too many pixels; it may have at most %(pixels)s pixels."
    ),
    "photo_unsupported_format": _("Only JPEG, PNG and WebP photos are accepted."),
    "photo_limit_reached": _("A resource may have at most %(count)s photos."),
    # Staff actions on bookings (issue 9: closures over bookings, staff cancel, on behalf)
    "closure_hits_bookings": _(
        "This would cancel %(count)s booking(s); confirm to close and cancel them."
    ),
    "cancel_reason_required": _("Say why you cancel someone else's booking."),
    "on_behalf_not_allowed": _("Only unit managers and the secretariat book for others."),
    # People: importing members from an Excel sheet (issue 9, alliance.member_import)
    "import_not_a_spreadsheet": _("The file is not an Excel workbook (.xlsx)."),
    "import_file_too_large": _("The file is too large; the limit is %(megabytes)s MB."),
    "import_missing_columns": _("The sheet's first row lacks the columns: %(columns)s."),
    "import_empty": _("The sheet has no members to import."),
    "import_too_many_rows": _("The sheet has more than %(rows)s rows; split it."),
    "import_rows_refused": _(
        "%(count)s rows cannot be imported; fix them and import again. Nobody was imported."
    ),
    "import_row_missing_name": _("The name is missing."),
    "import_row_name_too_long": _("The name is longer than 50 characters."),
    "import_row_invalid_characters": _("The name contains characters that are not allowed."),
    "import_row_missing_phone": _("The mobile number is missing."),
    "import_row_bad_phone": _("The mobile number is not an 11-digit mainland mobile number."),
    "import_row_missing_unit": _("The unit is missing."),
    "import_row_unknown_unit": _("No active member unit has this name."),
    "import_row_other_unit": _("The row names another unit than the one being imported into."),
    "import_row_unknown_role": _("The role is not one of 科研人员, 单位资源管理员, 秘书处."),
    "import_row_role_not_allowed": _("You may not give this role."),
    "import_row_duplicate": _("The same mobile number appears earlier in the sheet."),
    # Recorded use and power control (issue 10, bookings.usage and bookings.interlock)
    "instrument_in_use": _("Someone else is using this instrument right now."),
    "walk_up_not_allowed": _(
        "This instrument can only be used with a booking; you have none starting now."
    ),
    "instrument_booked": _("This instrument is booked by someone else right now."),
    "usage_times_invalid": _("A session must stop after it starts."),
    "usage_in_future": _("A session entered by hand must already have ended."),
    "usage_overlaps": _("This instrument has another recorded session at that time."),
    "session_running": _("This session is still running; stop it before correcting it."),
    # Qualifications (issue 10: resources.qualification_models, bookings.qualifications)
    "not_qualified": _(
        "Using this resource on your own needs a qualification: ask for training first."
    ),
    "qualification_not_required": _("This resource needs no qualification."),
    "qualification_exists": _("You already have a request or a qualification for this resource."),
    "qualification_state": _("This qualification is %(status)s; that cannot be done now."),
    "qualification_not_due": _("This qualification is not due for that yet."),
    "training_in_the_past": _("The training cannot be in the past."),
    # Fault reports (issue 10: bookings.faults)
    "fault_report_not_allowed": _(
        "Only members who have recently booked or used this resource can report a fault on it."
    ),
    "fault_report_closed": _("This fault report is closed; it can no longer be changed."),
    "fault_status_invalid": _("A fault report cannot move from “%(from)s” to “%(to)s”."),
    "fault_expected_return_past": _("The expected return date must be after today."),
    # Service modes: self-use and assisted bookings (issue 10, bookings.service_modes)
    "mode_not_offered": _("This resource does not offer this service mode."),
    "operator_not_eligible": _(
        "This person is not an active operator of the resource for assisted use."
    ),
    "operator_busy": _("The operator is already booked for part of this time."),
    "no_operator_free": _("No operator of this resource is free at this time."),
    "operator_not_for_self_use": _("Only an assisted booking has an operator."),
    "no_service_mode": _("A resource offers at least one service mode."),
    "operators_invalid": _("Operators must be active members of the unit that owns the resource."),
    # Sample orders (issue 10: bookings.sample_models, bookings.samples)
    "sample_order_state": _("This sample order is “%(status)s”; that step cannot be taken now."),
    "sample_cancel_too_late": _(
        "The samples have been received; the order can no longer be cancelled."
    ),
    "sample_completion_past": _("The expected completion date cannot be before today."),
    "sample_report_missing": _("Attach at least one report file."),
    "sample_report_too_many": _("At most %(count)s files can be uploaded at once."),
    "sample_report_too_large": _("The file is too large; the limit is %(megabytes)s MB."),
    "sample_report_type": _(
        "Only PDF, images (JPEG, PNG, WebP), Excel and Word files are accepted."
    ),
    "sample_report_unreadable": _("The file is damaged or is not what its type says."),
    # Figures (issue 11: bookings.figures)
    "figures_bad_date": _(
        "Give the period as dates YYYY-MM-DD (from and to), or a year and month."
    ),
    "figures_period_reversed": _("The period must end on or after the day it starts."),
    "figures_period_too_long": _("Figures cover at most %(days)s days at a time."),
    # The national assessment and the duplicate-purchase check (issue 11: bookings.assessment,
    # bookings.purchase_checks)
    "assessment_year_invalid": _("Choose a year from %(first)s to %(last)s."),
    "purchase_class_too_broad": _(
        "Give the instrument's class, not only its category: a code of four or six digits "
        "(e.g. 0101 or 010101)."
    ),
    # Quotas and the credit score (issue 12: bookings.quotas, bookings.credit)
    "quota_exceeded": _("This booking would exceed the quota “%(quota)s”; %(left)s left."),
    "booking_suspended": _(
        "Your booking rights are suspended until %(until)s because of your credit score."
    ),
    # Recurring bookings (issue 12: bookings.series, bookings.series_selectors)
    "series_rule_invalid": _(
        "The repeat rule is not valid: repeat daily, weekly or monthly, with a count or an end."
    ),
    "series_too_many": _("A series has at most %(count)s occurrences; give a count or an end."),
    "series_too_long": _("A series may reach at most %(days)s days after its first occurrence."),
    "series_clash": _("Nothing was booked: these occurrences are not free: %(dates)s."),
    "series_nothing_free": _("Nothing was booked: no occurrence of the series is free."),
    "series_nothing_to_do": _(
        "No occurrence of the series can be changed so: past, other or already changed."
    ),
    # The waitlist (issue 12: bookings.waitlist)
    "waitlist_slot_free": _("This time is free: book it instead of joining its waitlist."),
    "waitlist_already_joined": _("You are already on the waitlist for this time."),
    "waitlist_too_many": _("You are on %(count)s waitlists already, the most allowed."),
    "waitlist_hold_expired": _("The hold on this time has lapsed; it went to the next in line."),
    "waitlist_not_offered": _("Nothing is held for you on this waitlist entry (%(status)s)."),
    "waitlist_not_waiting": _("Only a waiting entry can leave the waitlist (%(status)s)."),
}


class DomainError(Exception):
    """A refusal with a stable code and a translated message. Never a programming error."""

    def __init__(self, code: str, *, params: dict[str, Any] | None = None, **extra: Any) -> None:
        if code not in MESSAGES:
            raise ValueError(f"Unknown error code {code!r}: add it to alliance.errors.MESSAGES")
        self.code = code
        self.params = params or {}
        self.extra = extra
        super().__init__(code)

    @property
    def message(self) -> str:
        """The message in the active language."""
        text = str(MESSAGES[self.code])
        return text % self.params if self.params else text

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ValidationFailed(DomainError):
    """Bad input or a broken booking rule (HTTP 400)."""


class Conflict(DomainError):
    """The state of the world forbids it: a taken slot, a finished booking (HTTP 409)."""


class AccessDenied(DomainError):
    """The actor may not do this (HTTP 403)."""

    def __init__(self, code: str = "permission_denied", **kwargs: Any) -> None:
        super().__init__(code, **kwargs)


class NotFound(DomainError):
    """Unknown, or invisible to the actor (HTTP 404)."""

    def __init__(self, code: str = "not_found", **kwargs: Any) -> None:
        super().__init__(code, **kwargs)


class Unavailable(DomainError):
    """A transient condition; the same request may succeed later (HTTP 503)."""
