"""The public summary page (/summary/): three numbers anyone may see, for the alliance's
website — shared resources, hours served to other units this year, units served. No
personal data; read from the shared cache (bookings.figures.public_summary_cached), as the
mini-program's home card reads /api/v1/public/summary/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bookings.figures import public_summary_cached


@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    return render(request, "web/summary.html", {"summary": public_summary_cached()})
