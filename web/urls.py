"""The web app's pages. Each page module in web/views/ owns its views; this maps them."""

from django.urls import path

from web.views import account, bookings, inbox, qualifications, resource, search

app_name = "web"

urlpatterns = [
    path("", search.home, name="home"),
    path("sign-in/", account.sign_in, name="sign-in"),
    path("sign-out/", account.sign_out, name="sign-out"),
    path("me/", account.me, name="me"),
    path("bookings/", bookings.my_bookings, name="my-bookings"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("r/<int:resource_id>/", resource.resource_page, name="resource"),
    path("r/<int:resource_id>/book/", resource.book, name="resource-book"),
    # Qualifications (issue 10)
    path(
        "r/<int:resource_id>/qualification/",
        qualifications.request_training,
        name="resource-qualification",
    ),
    path("me/qualifications/", qualifications.my_qualifications, name="my-qualifications"),
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
