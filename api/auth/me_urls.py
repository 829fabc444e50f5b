"""Member endpoints under /api/v1/: me/ and members/."""

urlpatterns: list = []
