"""A resource's page: a placeholder (name, unit, location) until the resource page of
issue 8 replaces it; the check-in page links here by the URL name ``web:resource``."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from alliance.errors import NotFound
from resources.selectors import resource_get


def resource(request: HttpRequest, resource_id: int) -> HttpResponse:
    try:
        found = resource_get(resource_id=resource_id, prefetch=())
    except NotFound:
        raise Http404 from None
    return render(request, "web/check_in_resource_page.html", {"resource": found})
