"""The project's URLs plus two views with a real programming error (a query on a table that
does not exist), one behind DRF and one plain Django view: for the tests that show a bug is
still a 500 with its traceback while an outage is a quiet 503."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns


def query_a_missing_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_at_all")


class CrashApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        query_a_missing_table()
        return Response({})


def crash_view(request: HttpRequest) -> HttpResponse:
    query_a_missing_table()
    return HttpResponse("")


urlpatterns = [
    path("api/v1/test-crash/", CrashApi.as_view()),
    path("test-crash/", crash_view),
    *project_urlpatterns,
]
