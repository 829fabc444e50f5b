"""Member units as the mini-program shows them."""

from __future__ import annotations

from rest_framework import serializers

from alliance.models import UnitKind


class UnitOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    contact_name = serializers.CharField(help_text="The unit's contact point for its resources.")
    contact_phone = serializers.CharField()
    contact_email = serializers.CharField()
