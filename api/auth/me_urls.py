"""/api/v1/me/ and /api/v1/members/: who is signed in, and inviting new members.

Included by api/urls.py under ``v1/`` (these are not under ``auth/``).
"""

from django.urls import path

from api.auth import views

urlpatterns = [
    path("me/", views.MeApi.as_view(), name="me"),
    path("members/", views.MemberCreateApi.as_view(), name="member-create"),
    path(
        "members/<int:member_id>/invite-code/",
        views.MemberInviteCodeApi.as_view(),
        name="member-invite-code",
    ),
]
