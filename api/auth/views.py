"""Sign-in endpoints (/api/v1/auth/…), /api/v1/me/ and /api/v1/members/.

Each view parses its input, calls one service of alliance.tokens and formats the answer.
The sign-in endpoints take no credentials (a stale token sent out of habit must not stop
anyone from signing in again).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.people import invite_qr_payload
from alliance.ratelimit import member_account, openid_account, username_account
from alliance.tokens import (
    Invitation,
    api_token_revoke,
    invite_code_redeem,
    member_invite,
    member_invite_renew,
    password_sign_in,
    wechat_sign_in,
)
from alliance.web_sign_in import browser_secret_of, web_challenge_confirm, web_challenge_create
from api.auth.serializers import (
    BindInputSerializer,
    BindOutputSerializer,
    MemberCreateInputSerializer,
    MemberInviteOutputSerializer,
    MeOutputSerializer,
    PasswordLoginInputSerializer,
    PasswordLoginOutputSerializer,
    WebChallengeConfirmInputSerializer,
    WebChallengeConfirmOutputSerializer,
    WebChallengeOutputSerializer,
    WeChatLoginInputSerializer,
    WeChatLoginOutputSerializer,
    error,
)
from api.authentication import (
    BearerTokenAuthentication,
    IsBoundMember,
    request_member,
)
from api.throttling import (
    FailureCountingMixin,
    SignInFailureThrottle,
    WebChallengeCreateThrottle,
)

INVALID = error("Bad input (`invalid`, with `fields`).")
UNAUTHENTICATED = error("No, an unknown, an expired or a revoked token.")
THROTTLED = error(
    "`throttled`: too many failed attempts from this address (for this account); see "
    "Retry-After and `retry_after`."
)
FORBIDDEN = error("`not_bound` for an unbound token, `permission_denied`, `member_inactive`.")


class WeChatLoginApi(FailureCountingMixin, APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [SignInFailureThrottle]
    failure_codes = frozenset({"wechat_code_invalid"})

    def sign_in_account(self, request: Request) -> None:
        """A code names no account: invalid codes count against the address only."""
        return None

    @extend_schema(
        tags=["auth"],
        request=WeChatLoginInputSerializer,
        responses={
            200: WeChatLoginOutputSerializer,
            400: error("`wechat_code_invalid`: the code is unknown to WeChat or was used."),
            403: error("`member_inactive`: the linked membership was deactivated."),
            429: THROTTLED,
            503: error(
                "`wechat_rate_limited` or `wechat_unavailable` (with Retry-After while "
                "WeChat calls are suspended after repeated failures): try again later."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        """Sign in with the code of `wx.login()`.

        The answer's token is bound when the WeChat account is linked to a member; an
        unbound token may browse but not book until `POST /auth/bind/`. Invalid codes are
        counted per client address; too many in a while answer 429 without asking WeChat.
        """
        data = WeChatLoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sign_in = wechat_sign_in(code=data.validated_data["code"])
        body = {"token": sign_in.token, "bound": sign_in.member is not None}
        body["member"] = sign_in.member
        return Response(WeChatLoginOutputSerializer(body).data)


class BindApi(FailureCountingMixin, APIView):
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [SignInFailureThrottle]
    failure_codes = frozenset({"invite_code_invalid", "invite_code_used", "invite_code_expired"})

    def sign_in_account(self, request: Request) -> str:
        return openid_account(request.auth.wechat_openid if request.auth is not None else "")

    @extend_schema(
        tags=["auth"],
        request=BindInputSerializer,
        responses={
            200: BindOutputSerializer,
            400: error("`invite_code_invalid`, `invite_code_used` or `invite_code_expired`."),
            401: UNAUTHENTICATED,
            403: error("`member_inactive`."),
            409: error("`already_bound` or `member_already_bound`."),
            429: THROTTLED,
        },
    )
    def post(self, request: Request) -> Response:
        """Link the signed-in WeChat account to a member with their invite code.

        The code works once and expires. Wrong codes are counted per WeChat account and
        client address, and per client address; too many in a while answer 429 for a
        while.
        """
        data = BindInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = invite_code_redeem(token=request.auth, code=data.validated_data["invite_code"])
        return Response(BindOutputSerializer({"bound": True, "member": member}).data)


class PasswordLoginApi(FailureCountingMixin, APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [SignInFailureThrottle]
    failure_codes = frozenset({"invalid_credentials"})

    def sign_in_account(self, request: Request) -> str:
        data = request.data if isinstance(request.data, dict) else {}
        return username_account(data.get("username"))

    @extend_schema(
        tags=["auth"],
        request=PasswordLoginInputSerializer,
        responses={
            200: PasswordLoginOutputSerializer,
            400: error(
                "`invalid_credentials` (a wrong password, or an account that does not sign "
                "in with one: researchers use the mini-program), or `invalid` input."
            ),
            403: error("`no_member_profile`, `member_inactive`."),
            429: THROTTLED,
        },
    )
    def post(self, request: Request) -> Response:
        """Sign in back-office staff with username and password.

        Django superusers count as secretariat. Failed attempts are counted per username
        and client address, and per client address (shared with the back office's
        sign-in); too many in a while answer 429 for a while, even to the right password.
        """
        data = PasswordLoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sign_in = password_sign_in(**data.validated_data)
        self.sign_in_succeeded(request)
        body = {"token": sign_in.token, "member": sign_in.member}
        return Response(PasswordLoginOutputSerializer(body).data)


class WebChallengeCreateApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [WebChallengeCreateThrottle]

    @extend_schema(
        tags=["auth"],
        request=None,
        responses={201: WebChallengeOutputSerializer, 429: THROTTLED},
    )
    def post(self, request: Request) -> Response:
        """Start signing a browser in: a one-time challenge to show as a QR code.

        Anonymous. The challenge is bound to the caller's Django session (the session
        cookie this answer sets or reuses): only that browser can be signed in by it, by
        polling the web app's sign-in page. It expires after `ttl_seconds` (about two
        minutes). Creations are limited per client address (429 past the limit).
        """
        issued = web_challenge_create(browser_secret=browser_secret_of(request.session))
        body = {
            "id": issued.challenge.pk,
            "payload": issued.payload,
            "expires_at": issued.challenge.expires_at,
            "ttl_seconds": issued.ttl_seconds,
        }
        return Response(WebChallengeOutputSerializer(body).data, status=status.HTTP_201_CREATED)


class WebChallengeConfirmApi(FailureCountingMixin, APIView):
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [SignInFailureThrottle]
    failure_codes = frozenset({"challenge_invalid", "challenge_expired", "challenge_used"})

    def sign_in_account(self, request: Request) -> str:
        token = request.auth
        if token is not None and token.member_id is not None:
            return member_account(token.member_id)
        return openid_account(token.wechat_openid if token is not None else "")

    @extend_schema(
        tags=["auth"],
        request=WebChallengeConfirmInputSerializer,
        responses={
            200: WebChallengeConfirmOutputSerializer,
            400: error(
                "`challenge_invalid` (unknown challenge or wrong secret), `challenge_expired`, "
                "`challenge_used` (confirmed by someone else, or already used), or `invalid`."
            ),
            401: UNAUTHENTICATED,
            403: error(
                "`not_bound` (link the WeChat account first), `member_inactive`, "
                "`actor_unit_inactive`."
            ),
            429: THROTTLED,
        },
    )
    def post(self, request: Request, challenge_id: str) -> Response:
        """Sign a browser in as the caller: confirm the challenge scanned from its QR code.

        Send the secret part of the payload. The browser that shows the code is signed in
        within a few seconds. Confirming again as the same member before that is harmless.
        Refused challenges count as failed sign-ins (429 after too many).
        """
        data = WebChallengeConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = web_challenge_confirm(
            token=request.auth, challenge_id=challenge_id, secret=data.validated_data["secret"]
        )
        body = {"confirmed": True, "member": member}
        return Response(WebChallengeConfirmOutputSerializer(body).data)


class LogoutApi(APIView):
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["auth"], request=None, responses={204: None, 401: UNAUTHENTICATED})
    def post(self, request: Request) -> Response:
        """Sign out: the token of this request stops working."""
        api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["auth"], responses={200: MeOutputSerializer, 401: UNAUTHENTICATED})
    def get(self, request: Request) -> Response:
        """Who is signed in: the member, or `bound: false` for an unbound WeChat token."""
        member = request_member(request)
        return Response(MeOutputSerializer({"bound": member is not None, "member": member}).data)


def _invitation_body(invitation: Invitation) -> dict:
    member = invitation.member
    return {
        "id": member.pk,
        "name": member.name,
        "role": member.role,
        "phone": member.phone,
        "unit": member.unit,
        "invite_code": invitation.code,
        "invite_qr": invite_qr_payload(invitation.code),
        "invite_expires_at": invitation.invite.expires_at,
    }


class MemberCreateApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["members"],
        request=MemberCreateInputSerializer,
        responses={
            201: MemberInviteOutputSerializer,
            400: error("`invalid` input or `unit_inactive`."),
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: error("`not_found`: no such unit."),
        },
    )
    def post(self, request: Request) -> Response:
        """Create a member of a unit and the invite code that links their WeChat account.

        The secretariat creates members of any unit and role; a unit manager creates
        researchers of their own unit. Give the person the invite code: it is shown only
        in this answer.
        """
        data = MemberCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        invitation = member_invite(
            actor=request_member(request),
            unit_id=values["unit"],
            name=values["name"],
            role=values["role"],
            phone=values["phone"],
        )
        body = MemberInviteOutputSerializer(_invitation_body(invitation)).data
        return Response(body, status=status.HTTP_201_CREATED)


class MemberInviteCodeApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["members"],
        request=None,
        responses={
            201: MemberInviteOutputSerializer,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: error("`not_found`: no such member."),
            409: error("`member_already_bound`: the member has linked WeChat already."),
        },
    )
    def post(self, request: Request, member_id: int) -> Response:
        """A new invite code for a member who has not linked WeChat yet (the old one was
        lost or expired; it stops working). Same access as creating that member."""
        invitation = member_invite_renew(actor=request_member(request), member_id=member_id)
        body = MemberInviteOutputSerializer(_invitation_body(invitation)).data
        return Response(body, status=status.HTTP_201_CREATED)
