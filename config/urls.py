from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from api.calendars import calendar_feed_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("calendars/<str:token>.ics", calendar_feed_view, name="calendar-feed"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("web.urls")),
]
# Uploaded photos: served by Django with DEBUG on only (static() adds nothing otherwise); in
# production the web server serves MEDIA_ROOT at MEDIA_URL, or the object store its URLs.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Under /api/ even Django's own error pages answer JSON with a code (api.http_errors).
handler400 = "api.http_errors.bad_request"
handler403 = "api.http_errors.permission_denied"
handler404 = "api.http_errors.page_not_found"
handler500 = "api.http_errors.server_error"
