"""The web app's pages. Each page module in web/views/ owns its views; this maps them."""

from django.urls import path

from web.views import (
    account,
    bookings,
    check_in,
    credit,
    dev,
    inbox,
    qualifications,
    resource,
    resource_modes,
    search,
    series,
    staff_approvals,
    summary,
    usage,
    waitlist,
)

app_name = "web"

urlpatterns = [
    path("", search.home, name="home"),
    path("summary/", summary.summary, name="summary"),
    path("sign-in/", account.sign_in, name="sign-in"),
    path("sign-out/", account.sign_out, name="sign-out"),
    path("sign-in/password/", account.sign_in_password, name="sign-in-password"),
    path("sign-in/challenges/<str:challenge_id>/poll/", account.sign_in_poll, name="sign-in-poll"),
    path("dev/mini-program/", dev.mini_program, name="dev-mini-program"),
    path("dev/mini-program/confirm/", dev.mini_program_confirm, name="dev-mini-program-confirm"),
    path("dev/mini-program/token/", dev.mini_program_token, name="dev-mini-program-token"),
    path("me/", account.me, name="me"),
    path("bookings/", bookings.my_bookings, name="my-bookings"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("r/<int:resource_id>/", resource.resource_page, name="resource"),
    path("r/<int:resource_id>/book/", resource.book, name="resource-book"),
    # Issue 12: recurring bookings
    path("r/<int:resource_id>/series/preview/", series.preview, name="resource-series-preview"),
    path("r/<int:resource_id>/series/", series.create, name="resource-series"),
    path("me/series/", series.my_series, name="my-series"),
    # The waitlist (issue 12)
    path("r/<int:resource_id>/waitlist/", waitlist.join, name="resource-waitlist-join"),
    path("me/waitlist/", waitlist.my_waitlist, name="my-waitlist"),
    path("me/waitlist/<int:entry_id>/claim/", waitlist.claim, name="waitlist-claim"),
    path("me/waitlist/<int:entry_id>/decline/", waitlist.decline, name="waitlist-decline"),
    path("me/waitlist/<int:entry_id>/leave/", waitlist.leave, name="waitlist-leave"),
    path("me/series/<int:series_id>/cancel/", series.cancel, name="series-cancel"),
    path("r/<int:resource_id>/use/", usage.use_page, name="resource-use"),
    path("r/<int:resource_id>/use/start/", usage.use_start, name="resource-use-start"),
    path("r/<int:resource_id>/use/stop/", usage.use_stop, name="resource-use-stop"),
    path("staff/usage/", usage.staff_usage, name="staff-usage"),
    path("staff/usage/<int:session_id>/stop/", usage.staff_usage_stop, name="staff-usage-stop"),
]

# Issue 8, my bookings, inbox and check-in by scanning (branch i8-mybookings).
urlpatterns += [
    path("bookings/<int:booking_id>/", bookings.booking_detail, name="booking"),
    path("bookings/<int:booking_id>/cancel/", bookings.booking_cancel_view, name="booking-cancel"),
    path("bookings/calendar-feed/", bookings.calendar_feed_reset_view, name="calendar-feed"),
    path("inbox/<int:notification_id>/read/", inbox.notification_read, name="inbox-read"),
    path("inbox/read-all/", inbox.notification_read_all, name="inbox-read-all"),
    path("r/<int:resource_id>/check-in/", check_in.check_in, name="check-in"),
]

# The staff area: people (issue 9)
from web.views import staff_people  # noqa: E402

urlpatterns += [
    path("staff/people/", staff_people.people, name="staff-people"),
    path("staff/people/invite/", staff_people.invite, name="staff-people-invite"),
    path("staff/people/import/", staff_people.import_members, name="staff-people-import"),
    path(
        "staff/people/import/template/",
        staff_people.import_template,
        name="staff-people-import-template",
    ),
    path(
        "staff/people/<int:member_id>/invite-code/",
        staff_people.invite_renew,
        name="staff-people-invite-renew",
    ),
    path(
        "staff/people/<int:member_id>/deactivate/",
        staff_people.deactivate,
        name="staff-people-deactivate",
    ),
    path(
        "staff/people/<int:member_id>/reactivate/",
        staff_people.reactivate,
        name="staff-people-reactivate",
    ),
    path("staff/people/<int:member_id>/role/", staff_people.change_role, name="staff-people-role"),
    # Qualifications (issue 10)
    path(
        "r/<int:resource_id>/qualification/",
        qualifications.request_training,
        name="resource-qualification",
    ),
    path("me/qualifications/", qualifications.my_qualifications, name="my-qualifications"),
    path("me/credit/", credit.my_credit, name="my-credit"),
    path(
        "me/qualifications/<int:qualification_id>/cancel/",
        qualifications.cancel,
        name="qualification-cancel",
    ),
    path("staff/qualifications/", qualifications.staff_qualifications, name="staff-qualifications"),
    path(
        "staff/qualifications/<int:qualification_id>/<slug:action>/",
        qualifications.staff_act,
        name="staff-qualification-act",
    ),
]

# Issue 9, the staff area's approval queue (branch w2-queue).
urlpatterns += [
    path("staff/approvals/", staff_approvals.approvals, name="staff-approvals"),
    path(
        "staff/approvals/decide/",
        staff_approvals.approvals_decide,
        name="staff-approvals-decide",
    ),
]

# Issue 10, fault reports (branch w2-faults).
from web.views import faults  # noqa: E402

urlpatterns += [
    path("r/<int:resource_id>/fault/", faults.report, name="resource-fault"),
    path("me/faults/", faults.my_faults, name="my-faults"),
    path("me/operating/", resource_modes.my_operating, name="my-operating"),
    path("staff/faults/", faults.staff_faults, name="staff-faults"),
    path(
        "staff/faults/<int:fault_id>/<slug:action>/",
        faults.staff_fault_step,
        name="staff-fault-step",
    ),
]

# Issue 9, the staff area: the schedule across resources (branch w2-staffweb).
from web.views import staff_schedule  # noqa: E402

urlpatterns += [
    path("staff/", staff_schedule.staff_index, name="staff"),
    path("staff/schedule/", staff_schedule.schedule, name="staff-schedule"),
    path("staff/schedule/book/", staff_schedule.book_on_behalf, name="staff-book"),
    path("staff/schedule/members/", staff_schedule.member_search, name="staff-members"),
    path("staff/schedule/close/", staff_schedule.close, name="staff-close"),
    path(
        "staff/schedule/bookings/<int:booking_id>/",
        staff_schedule.booking_panel,
        name="staff-booking",
    ),
    path(
        "staff/schedule/bookings/<int:booking_id>/<str:action>/",
        staff_schedule.booking_act,
        name="staff-booking-act",
    ),
]

# Issue 10, sample orders (送样检测, branch svc-samples).
from web.views import samples  # noqa: E402

urlpatterns += [
    path("r/<int:resource_id>/samples/", samples.submit, name="resource-samples"),
    path("me/samples/", samples.my_samples, name="my-samples"),
    path("me/samples/<int:order_id>/", samples.my_sample, name="my-sample"),
    path(
        "me/samples/<int:order_id>/<slug:action>/",
        samples.my_sample_step,
        name="my-sample-step",
    ),
    path(
        "samples/<int:order_id>/files/<int:file_id>/",
        samples.download,
        name="sample-file",
    ),
    path("staff/samples/", samples.staff_samples, name="staff-samples"),
    path(
        "staff/samples/<int:order_id>/<slug:action>/",
        samples.staff_sample_step,
        name="staff-sample-step",
    ),
]

# Issue 11, the staff dashboard (branch dashboard).
from web.views import staff_dashboard  # noqa: E402

urlpatterns += [
    path("staff/dashboard/", staff_dashboard.dashboard, name="staff-dashboard"),
    path(
        "staff/dashboard/<slug:table>.<slug:fmt>",
        staff_dashboard.dashboard_export,
        name="staff-dashboard-export",
    ),
]

# Issue 11, the duplicate-purchase check (branch assessment).
from web.views import purchase_checks  # noqa: E402

urlpatterns += [
    path("staff/purchase-checks/", purchase_checks.purchase_checks, name="staff-purchase-checks"),
    path(
        "staff/purchase-checks/<int:check_id>/",
        purchase_checks.purchase_check,
        name="staff-purchase-check",
    ),
    path(
        "staff/purchase-checks/<int:check_id>/outcome/",
        purchase_checks.purchase_check_outcome,
        name="staff-purchase-check-outcome",
    ),
    path(
        "staff/purchase-checks/<int:check_id>/report.xlsx",
        purchase_checks.purchase_check_download,
        name="staff-purchase-check-download",
    ),
]

# Issue 11, the national open-sharing assessment (branch assessment).
from web.views import assessment  # noqa: E402

urlpatterns += [
    path("staff/assessment/", assessment.assessment_page, name="staff-assessment"),
    path(
        "staff/assessment/assessment.xlsx",
        assessment.assessment_download,
        name="staff-assessment-download",
    ),
]
