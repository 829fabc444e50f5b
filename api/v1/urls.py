"""Resource, booking and approval endpoints under /api/v1/."""

urlpatterns: list = []
