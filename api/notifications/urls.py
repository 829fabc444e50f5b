"""Notification inbox and WeChat subscription endpoints under /api/v1/notifications/."""

from django.urls import path

from api.notifications import views

urlpatterns = [
    path("", views.NotificationListApi.as_view(), name="notification-list"),
    path(
        "<int:notification_id>/read/",
        views.NotificationReadApi.as_view(),
        name="notification-read",
    ),
    path("read-all/", views.NotificationReadAllApi.as_view(), name="notification-read-all"),
    path(
        "unread-count/",
        views.NotificationUnreadCountApi.as_view(),
        name="notification-unread-count",
    ),
    path("subscriptions/", views.SubscriptionApi.as_view(), name="notification-subscriptions"),
]
