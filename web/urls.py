"""The web app's pages. Each page module in web/views/ owns its views; this maps them."""

from django.urls import path

from web.views import account, bookings, dev, inbox, resource, search, usage

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
    path("r/<int:resource_id>/use/", usage.use_page, name="resource-use"),
    path("r/<int:resource_id>/use/start/", usage.use_start, name="resource-use-start"),
    path("r/<int:resource_id>/use/stop/", usage.use_stop, name="resource-use-stop"),
    path("staff/usage/", usage.staff_usage, name="staff-usage"),
    path("staff/usage/<int:session_id>/stop/", usage.staff_usage_stop, name="staff-usage-stop"),
]
