"""The staff's people under /api/v1/: a unit's members, deactivating, reactivating and
changing roles, and importing members from an Excel sheet (preview, commit, template).

Rules live in alliance.access ("People") and the services (alliance.people,
alliance.member_import); these views parse, call one service and format the answer.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.member_import import (
    XLSX_CONTENT_TYPE,
    ImportReport,
    import_template_workbook,
    members_import,
)
from alliance.people import member_deactivate, member_reactivate, member_role_change, unit_people
from api.authentication import IsBoundMember, request_member
from api.v1.serializers.common import ErrorSerializer, errors
from api.v1.serializers.people import (
    ImportInputSerializer,
    ImportReportSerializer,
    ImportTemplateQuerySerializer,
    PersonOutputSerializer,
    RoleChangeInputSerializer,
)


def _person(member) -> dict:
    return PersonOutputSerializer(member).data


class UnitPeopleApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["members"],
        operation_id="units_members_list",
        responses={200: PersonOutputSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: Request, unit_id: int) -> Response:
        """The members of a unit, active first, each with `bound` (linked to WeChat) and
        `invite_pending`. The unit's managers and the secretariat."""
        people = unit_people(actor=request_member(request), unit_id=unit_id)
        return Response(PersonOutputSerializer(people.members, many=True).data)


LAST_SECRETARIAT = OpenApiResponse(
    response=ErrorSerializer,
    description="`last_secretariat`: the alliance would be left without one.",
)


class MemberDeactivateApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["members"],
        request=None,
        responses={200: PersonOutputSerializer, 409: LAST_SECRETARIAT, **errors(401, 403, 404)},
    )
    def post(self, request: Request, member_id: int) -> Response:
        """Deactivate a member: their tokens and password stop working. The secretariat
        for anyone, a unit manager for the researchers of their unit; nobody themselves.
        Again: no change."""
        return Response(
            _person(member_deactivate(actor=request_member(request), member_id=member_id))
        )


class MemberReactivateApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["members"],
        request=None,
        responses={200: PersonOutputSerializer, **errors(401, 403, 404)},
    )
    def post(self, request: Request, member_id: int) -> Response:
        """Reactivate a member. Same access as deactivating. Again: no change."""
        return Response(
            _person(member_reactivate(actor=request_member(request), member_id=member_id))
        )


class MemberRoleApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["members"],
        request=RoleChangeInputSerializer,
        responses={
            200: PersonOutputSerializer,
            409: LAST_SECRETARIAT,
            **errors(400, 401, 403, 404),
        },
    )
    def post(self, request: Request, member_id: int) -> Response:
        """Give a member another role: the secretariat only, never their own. Back-office
        access follows the role."""
        data = RoleChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = member_role_change(
            actor=request_member(request), member_id=member_id, role=data.validated_data["role"]
        )
        return Response(_person(member))


IMPORT_DOC = """

Upload `multipart/form-data` with the sheet as `file` (.xlsx) and the `unit` to import
into; without `unit`, the secretariat imports for the whole alliance and each row names its
unit in the 单位 column. Columns (first row): 姓名, 手机号, 角色 (科研人员 by default,
单位资源管理员, 秘书处), 单位. A row whose mobile number a member of the unit already has is
`existing`; a refused row lists its `codes` (`import_row_missing_name`,
`import_row_bad_phone`, `import_row_duplicate`, `import_row_role_not_allowed`,
`import_row_unknown_unit`, ...). Whole-file refusals: `import_not_a_spreadsheet`,
`import_file_too_large`, `import_too_many_rows`, `import_missing_columns`, `import_empty`."""


def _import_input(request: Request) -> dict:
    data = ImportInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def _report_body(report: ImportReport) -> dict:
    return ImportReportSerializer(
        {
            "committed": report.committed,
            "counts": report.counts,
            "rows": [row.as_dict() for row in report.rows],
        }
    ).data


class MemberImportPreviewApi(APIView):
    permission_classes = [IsBoundMember]
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=["members"],
        operation_id="members_import_preview",
        request={"multipart/form-data": ImportInputSerializer},
        responses={200: ImportReportSerializer, **errors(400, 401, 403, 404)},
        description="What importing the sheet would do, row by row; writes nothing." + IMPORT_DOC,
    )
    def post(self, request: Request) -> Response:
        values = _import_input(request)
        report = members_import(
            actor=request_member(request), unit_id=values.get("unit"), file=values["file"]
        )
        return Response(_report_body(report))


class MemberImportApi(APIView):
    permission_classes = [IsBoundMember]
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=["members"],
        operation_id="members_import",
        request={"multipart/form-data": ImportInputSerializer},
        responses={
            201: ImportReportSerializer,
            400: OpenApiResponse(
                response=ErrorSerializer,
                description="`import_rows_refused` (with `rows`: the refused rows and their "
                "codes; nobody was imported), a whole-file refusal, or `unit_inactive`.",
            ),
            **errors(401, 403, 404),
        },
        description="Import the sheet: every new row is created with an invite code "
        "(`invite_code`, shown only in this answer), or, if any row is refused, nobody."
        + IMPORT_DOC,
    )
    def post(self, request: Request) -> Response:
        values = _import_input(request)
        report = members_import(
            actor=request_member(request),
            unit_id=values.get("unit"),
            file=values["file"],
            commit=True,
        )
        return Response(_report_body(report), status=status.HTTP_201_CREATED)


class MemberImportTemplateApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["members"],
        operation_id="members_import_template",
        parameters=[
            OpenApiParameter(
                "with_unit",
                OpenApiTypes.BOOL,
                description="Add the 单位 column (the secretariat's alliance-wide import).",
            )
        ],
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The template workbook."
            ),
            **errors(400, 401),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        """The .xlsx template to fill in: the columns and one example row."""
        query = ImportTemplateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        with_unit = query.validated_data.get("with_unit", False)
        response = HttpResponse(
            import_template_workbook(with_unit=with_unit), content_type=XLSX_CONTENT_TYPE
        )
        name = "members-import-alliance.xlsx" if with_unit else "members-import.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
