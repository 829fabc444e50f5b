"""The REST API: /api/v1/… plus the OpenAPI schema and its Swagger UI."""

from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerView

from api.calendars import CalendarFeedResetApi
from api.schema_views import SchemaApi

urlpatterns = [
    path("v1/auth/", include("api.auth.urls")),
    path("v1/notifications/", include("api.notifications.urls")),
    path("v1/", include("api.auth.me_urls")),
    path("v1/", include("api.v1.urls")),
    path("v1/calendar-feeds/", CalendarFeedResetApi.as_view(), name="calendar-feed-reset"),
    path("schema/", SchemaApi.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]
