"""Input and output shapes of the staff's people endpoints (api.v1.people)."""

from __future__ import annotations

from rest_framework import serializers

from alliance.member_import import CREATED, EXISTING, NEW, REFUSED
from alliance.models import MemberRole
from api.auth.serializers import MemberUnitOutputSerializer
from api.v1.serializers.common import InputSerializer


class PersonOutputSerializer(serializers.Serializer):
    """A member as their unit's managers and the secretariat see them."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=MemberRole.choices)
    phone = serializers.CharField()
    is_active = serializers.BooleanField()
    bound = serializers.SerializerMethodField(help_text="Linked to a WeChat account.")
    unit = MemberUnitOutputSerializer()

    def get_bound(self, member) -> bool:
        return bool(member.wechat_openid)


class RoleChangeInputSerializer(InputSerializer):
    role = serializers.ChoiceField(choices=MemberRole.choices)


class ImportInputSerializer(InputSerializer):
    file = serializers.FileField(help_text="The .xlsx workbook; its first sheet is read.")
    unit = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        help_text="The unit to import into; without it (the secretariat only) each row's "
        "单位 column names its unit.",
    )


class ImportTemplateQuerySerializer(InputSerializer):
    with_unit = serializers.BooleanField(required=False, default=False)


class ImportCountsSerializer(serializers.Serializer):
    new = serializers.IntegerField(help_text="Rows that would be created (preview).")
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    refused = serializers.IntegerField()


class ImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The sheet's row number (the header is row 1).")
    name = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True, help_text="As read; 11 digits when valid.")
    role = serializers.ChoiceField(choices=MemberRole.choices, allow_null=True)
    unit = serializers.IntegerField(allow_null=True)
    outcome = serializers.ChoiceField(choices=[NEW, CREATED, EXISTING, REFUSED])
    codes = serializers.ListField(child=serializers.CharField(), help_text="Why refused.")
    member = serializers.IntegerField(allow_null=True, help_text="Created or existing member.")
    invite_code = serializers.CharField(
        allow_null=True, help_text="For created members; shown only in this answer."
    )


class ImportReportSerializer(serializers.Serializer):
    committed = serializers.BooleanField()
    counts = ImportCountsSerializer()
    rows = ImportRowSerializer(many=True)
