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
