"""Member units as the mini-program shows them."""

from __future__ import annotations

from rest_framework import serializers

from alliance.models import UnitKind

CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


class UnitOutputSerializer(serializers.Serializer):
    """Contact details are for members only: with ``context["show_contacts"]`` false (an
    unbound WeChat visitor, who could be anyone) they are answered empty."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    contact_name = serializers.CharField(help_text="The unit's contact point for its resources.")
    contact_phone = serializers.CharField()
    contact_email = serializers.CharField()
    is_active = serializers.BooleanField(
        help_text="False once the secretariat has deactivated the unit (listed only then, in "
        "the answer to the deactivation)."
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("show_contacts", False):
            data.update(dict.fromkeys(CONTACT_FIELDS, ""))
        return data
