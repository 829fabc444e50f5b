"""Page-number pagination for every list: ``count``, ``next``, ``previous``, ``results``.

``page`` and ``page_size`` are checked like any other input: a value that is not a positive
whole number is a 400 ``invalid`` naming the parameter, where DRF by default would quietly
serve page 1 with 20 items. A well-formed page past the last one is a 404 ``not_found``.
A query parameter the list does not know (neither these two nor one of the view's filters)
is a 400 ``unknown_field`` naming it, as unknown keys of a body are (InputSerializer).
"""

from typing import Any

from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from api.v1.serializers.common import unknown_keys_refuse

#: Reads a page number or size; also bounds the text's length before it is parsed.
_POSITIVE = serializers.IntegerField(min_value=1)


def _positive_query_int(request: Request, name: str) -> int | None:
    """The query parameter ``name`` as a positive int; None if absent or empty."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return _POSITIVE.run_validation(raw)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({name: exc.detail}) from None


class StandardPagination(PageNumberPagination):
    """20 per page by default; the caller may ask for up to 100 with ``page_size``."""

    page_size = 20
    page_size_query_param = "page_size"
    page_size_query_description = "Results per page: 1 to 100 (larger asks get 100)."
    max_page_size = 100
    last_page_strings = ()

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        known = {self.page_query_param, self.page_size_query_param}
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        unknown_keys_refuse(request.query_params, known=known)
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Request) -> int:
        asked = _positive_query_int(request, self.page_size_query_param)
        return self.page_size if asked is None else min(asked, self.max_page_size)

    def get_page_number(self, request: Request, paginator: Any) -> int:
        return _positive_query_int(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
