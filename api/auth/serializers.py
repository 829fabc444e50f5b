"""Input and output shapes of the sign-in endpoints, /me/ and /members/.

Plain serializers: they check types and lengths, nothing else; who may do what and what a
code means is decided in alliance.tokens and alliance.access.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from alliance.models import MemberRole
from api.fields import StrictCharField
from api.v1.serializers.common import ErrorSerializer, InputSerializer

# --- Shared output ------------------------------------------------------------------------


class MemberUnitOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()


class MemberOutputSerializer(serializers.Serializer):
    """The signed-in member as the mini-program shows them."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=MemberRole.choices)
    phone = serializers.CharField()
    unit = MemberUnitOutputSerializer()


# --- Sign-in ------------------------------------------------------------------------------


class WeChatLoginInputSerializer(InputSerializer):
    code = StrictCharField(max_length=128, help_text="The code from `wx.login()`.")


class WeChatLoginOutputSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Send as `Authorization: Bearer <token>`. Shown only this once."
    )
    bound = serializers.BooleanField(
        help_text="False until the WeChat account is linked to a member with an invite code."
    )
    member = MemberOutputSerializer(allow_null=True)


class BindInputSerializer(InputSerializer):
    invite_code = StrictCharField(
        max_length=32,
        help_text="The code given when the membership was created (from an invite QR code "
        "`alliance-share:invite:<code>`: the part after the prefix).",
    )


class BindOutputSerializer(serializers.Serializer):
    bound = serializers.BooleanField()
    member = MemberOutputSerializer()


class PasswordLoginInputSerializer(InputSerializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=128, trim_whitespace=False)


class PasswordLoginOutputSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Send as `Authorization: Bearer <token>`. Shown only this once."
    )
    member = MemberOutputSerializer()


class MeOutputSerializer(serializers.Serializer):
    bound = serializers.BooleanField()
    member = MemberOutputSerializer(allow_null=True)


# --- Web sign-in challenges (issue 8) ----------------------------------------------------


class WebChallengeOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The challenge's id.")
    payload = serializers.CharField(
        help_text=(
            "What the QR code holds: `alliance-share:web-sign-in:<id>:<secret>`. The "
            "mini-program recognises the `alliance-share:web-sign-in:` prefix, splits the "
            "rest at its first `:` into the id and the secret, and confirms with "
            '`POST /api/v1/auth/web-challenges/{id}/confirm/` and `{"secret": ...}`. '
            "Shown only this once."
        )
    )
    expires_at = serializers.DateTimeField(help_text="Confirm before this instant.")
    ttl_seconds = serializers.IntegerField(help_text="The challenge's lifetime in seconds.")


class WebChallengeConfirmInputSerializer(InputSerializer):
    secret = StrictCharField(
        max_length=128, trim_whitespace=False, help_text="The secret part of the payload."
    )


class WebChallengeConfirmOutputSerializer(serializers.Serializer):
    confirmed = serializers.BooleanField()
    member = MemberOutputSerializer(help_text="Who the browser will be signed in as.")


# --- Members ------------------------------------------------------------------------------


class MemberCreateInputSerializer(InputSerializer):
    unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    name = StrictCharField(max_length=50)
    role = serializers.ChoiceField(choices=MemberRole.choices)
    phone = StrictCharField(max_length=30, required=False, allow_blank=True, default="")


class MemberInviteOutputSerializer(serializers.Serializer):
    """A member and the invite code that links their WeChat account (shown only once)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=MemberRole.choices)
    phone = serializers.CharField()
    unit = MemberUnitOutputSerializer()
    invite_code = serializers.CharField()
    invite_qr = serializers.CharField(
        help_text="The text of the invite QR code the web app shows: "
        "`alliance-share:invite:<invite_code>`. The mini-program, scanning a code that starts "
        "with `alliance-share:invite:`, sends the rest as `invite_code` to `POST /auth/bind/`."
    )
    invite_expires_at = serializers.DateTimeField()


# --- Documented error answers -------------------------------------------------------------


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)
