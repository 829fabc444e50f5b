"""The web app's pages. Each page module in web/views/ owns its views; this maps them."""

from django.urls import path

from web.views import account, bookings, check_in, dev, inbox, resource, search

app_name = "web"

urlpatterns = [
    path("", search.home, name="home"),
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

# Issue 10, fault reports (branch w2-faults).
from web.views import faults  # noqa: E402

urlpatterns += [
    path("r/<int:resource_id>/fault/", faults.report, name="resource-fault"),
    path("me/faults/", faults.my_faults, name="my-faults"),
    path("staff/faults/", faults.staff_faults, name="staff-faults"),
    path(
        "staff/faults/<int:fault_id>/<slug:action>/",
        faults.staff_fault_step,
        name="staff-fault-step",
    ),
]
