"""Sign-in endpoints under /api/v1/auth/."""

urlpatterns: list = []
