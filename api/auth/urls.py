"""Sign-in endpoints under /api/v1/auth/."""

from django.urls import path

from api.auth import views

urlpatterns = [
    path("wechat-login/", views.WeChatLoginApi.as_view(), name="auth-wechat-login"),
    path("bind/", views.BindApi.as_view(), name="auth-bind"),
    path("password-login/", views.PasswordLoginApi.as_view(), name="auth-password-login"),
    path("logout/", views.LogoutApi.as_view(), name="auth-logout"),
    path("web-challenges/", views.WebChallengeCreateApi.as_view(), name="auth-web-challenges"),
    path(
        "web-challenges/<str:challenge_id>/confirm/",
        views.WebChallengeConfirmApi.as_view(),
        name="auth-web-challenge-confirm",
    ),
]
