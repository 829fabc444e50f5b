"""The web app's pages. Each page module in web/views/ owns its views; this maps them."""

from django.urls import path

from web.views import account, bookings, inbox, search

app_name = "web"

urlpatterns = [
    path("", search.home, name="home"),
    path("sign-in/", account.sign_in, name="sign-in"),
    path("sign-out/", account.sign_out, name="sign-out"),
    path("me/", account.me, name="me"),
    path("bookings/", bookings.my_bookings, name="my-bookings"),
    path("inbox/", inbox.inbox, name="inbox"),
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
]
