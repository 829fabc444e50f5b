"""The web app's pages. Each page module in web/views/ owns its views; this maps them."""

from django.urls import path

from web.views import account, bookings, check_in, inbox, resource, search

app_name = "web"

urlpatterns = [
    path("", search.home, name="home"),
    path("sign-in/", account.sign_in, name="sign-in"),
    path("sign-out/", account.sign_out, name="sign-out"),
    path("me/", account.me, name="me"),
    path("bookings/", bookings.my_bookings, name="my-bookings"),
    path("inbox/", inbox.inbox, name="inbox"),
]

# Issue 8, my bookings, inbox and check-in by scanning (branch i8-mybookings).
urlpatterns += [
    path("bookings/<int:booking_id>/", bookings.booking_detail, name="booking"),
    path("bookings/<int:booking_id>/cancel/", bookings.booking_cancel_view, name="booking-cancel"),
    path("bookings/calendar-feed/", bookings.calendar_feed_reset_view, name="calendar-feed"),
    path("inbox/<int:notification_id>/read/", inbox.notification_read, name="inbox-read"),
    path("inbox/read-all/", inbox.notification_read_all, name="inbox-read-all"),
    path("r/<int:resource_id>/check-in/", check_in.check_in, name="check-in"),
    # Placeholder until the resource page's helper replaces it (same name and path).
    path("r/<int:resource_id>/", resource.resource, name="resource"),
]
