"""``GET /healthz`` and ``GET /readyz`` for load balancers and orchestrators.

``/healthz``: the process is alive and answering; touches nothing else, so a database
outage does not get every app server restarted. ``/readyz``: the database and the cache
answer; 503 with the failing check's code otherwise, so traffic goes elsewhere until they
are back.

Both are answered by a middleware placed first, before host validation, the HTTPS redirect,
sessions and languages: a probe that calls by IP address over plain HTTP gets the true
answer rather than a 400 or a 301. They reveal nothing but "ok" or "unavailable", take no
credentials, and are not logged (config.log_filters puts a 503 at DEBUG; a failed check
is reported once per outage by alliance.outage).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.db import Error as DatabaseError
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse

from alliance.errors import MESSAGES
from alliance.outage import RETRY_AFTER_SECONDS, cache_outage, database_outage

READINESS_CACHE_KEY = "alliance:readyz"


def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        database_outage(exc)
        return False
    return True


def _cache_ok() -> bool:
    try:
        cache.get(READINESS_CACHE_KEY)
    # Each cache backend fails with its own errors (redis' ConnectionError, the database
    # cache's DatabaseError, OSError); whichever it is, the cache is not usable.
    except Exception as exc:
        cache_outage(exc)
        return False
    return True


CHECKS: dict[str, tuple[Callable[[], bool], str]] = {
    "database": (_database_ok, "database_unavailable"),
    "cache": (_cache_ok, "cache_unavailable"),
}


def readyz(request: HttpRequest) -> HttpResponse:
    results = {name: check() for name, (check, _code) in CHECKS.items()}
    checks = {name: "ok" if ok else "unavailable" for name, ok in results.items()}
    failed = [CHECKS[name][1] for name, ok in results.items() if not ok]
    if not failed:
        return JsonResponse({"status": "ok", "checks": checks})
    response = JsonResponse(
        {
            "status": "unavailable",
            "code": failed[0],
            "message": str(MESSAGES[failed[0]]),
            "checks": checks,
        },
        status=503,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


PROBES = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    """Answer the probes before any other middleware; pass every other request on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        if request.method not in {"GET", "HEAD"}:
            return HttpResponseNotAllowed(["GET", "HEAD"])
        response = probe(request)
        response["Cache-Control"] = "no-store"
        return response
