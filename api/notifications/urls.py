"""Notification inbox and WeChat subscription endpoints under /api/v1/notifications/."""

urlpatterns: list = []
