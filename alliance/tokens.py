"""Signing in: API bearer tokens, invite codes, and the WeChat and password sign-ins.

The only writer of ApiToken and InviteCode rows, and of ``Member.wechat_openid``.

Secrets are handled so that the database alone signs no one in: a token is 256 random bits
shown once and stored as its SHA-256 digest; an invite code (short enough to type) is
stored as an HMAC keyed with SECRET_KEY, so that its smaller space cannot be searched
offline either. Neither is ever logged. WeChat's session key is dropped by
alliance.wechat and never reaches this module.

Refusals are domain errors with codes from alliance.errors; every service checks before it
writes or writes inside one transaction, so a refused call writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from alliance.access import member_can_issue_invite, member_refusal
from alliance.errors import (
    AccessDenied,
    Conflict,
    NotFound,
    Unavailable,
    ValidationFailed,
)
from alliance.models import ApiToken, InviteCode, Member, MemberRole, SignInChannel, Unit, UnitKind
from alliance.services import member_create
from alliance.wechat import (
    WeChatCircuitOpen,
    WeChatError,
    WeChatRateLimited,
    WeChatUnavailable,
    jscode2session,
)

logger = logging.getLogger(__name__)

#: ``last_used_at`` is refreshed at most this often, so that reading is not a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
#: Letters and digits that cannot be mistaken for each other (no 0/O, 1/I).
INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
INVITE_LENGTH = 10
#: WeChat's answers to a bad ``wx.login`` code: invalid (40029) and already used (40163).
WECHAT_BAD_CODE = {40029, 40163}


# --- Tokens -------------------------------------------------------------------------------


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_issue(
    *, member: Member | None = None, openid: str = "", channel: str = SignInChannel.WECHAT
) -> tuple[ApiToken, str]:
    """Issue a token for a member (bound) or for a WeChat openid alone (unbound).

    Returns the row and the raw token; the raw token exists nowhere else, so the caller
    hands it to the client and forgets it. Expired and revoked tokens of the same subject
    are cleared on the way, so the table does not grow with every app start.
    """
    if member is None and not openid:
        raise ValueError("A token needs a member or an openid")
    now = timezone.now()
    raw = secrets.token_urlsafe(32)
    if member is not None:
        subject = ApiToken.objects.filter(member=member)
        openid = openid or member.wechat_openid or ""
    else:
        subject = ApiToken.objects.filter(member__isnull=True, wechat_openid=openid)
    with transaction.atomic():
        subject.filter(Q(expires_at__lte=now) | Q(revoked_at__isnull=False)).delete()
        token = ApiToken.objects.create(
            digest=token_digest(raw),
            member=member,
            wechat_openid=openid,
            channel=channel,
            expires_at=now + dt.timedelta(days=settings.API_TOKEN_TTL_DAYS),
        )
    return token, raw


class TokenRefused(Exception):
    """The token signs no one in. ``reason`` is unknown, expired, revoked or inactive."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def api_token_authenticate(*, raw: str) -> ApiToken:
    """The live token with this value, its member and user loaded, or TokenRefused.

    Records ``last_used_at`` at most once a minute (one UPDATE, no transaction needed).
    """
    token = (
        ApiToken.objects.select_related("member__user", "member__unit")
        .filter(digest=token_digest(raw))
        .first()
    )
    if token is None:
        raise TokenRefused("unknown")
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused("revoked")
    if token.expires_at <= now:
        raise TokenRefused("expired")
    member = token.member
    if member is not None and not (member.is_active and member.user.is_active):
        raise TokenRefused("inactive")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_token_revoke(*, token: ApiToken) -> None:
    """Sign out: the token stops working at once. Revoking twice is harmless."""
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    token.revoked_at = token.revoked_at or now


# --- Invite codes -------------------------------------------------------------------------


def invite_code_normalize(code: str) -> str:
    """Upper case without spaces or dashes, as people type codes in many ways."""
    return "".join(char for char in code.upper() if char.isalnum())


def invite_code_digest(code: str) -> str:
    normalized = invite_code_normalize(code)
    return salted_hmac("alliance.invite_code", normalized, algorithm="sha256").hexdigest()


def _invite_code_generate() -> str:
    code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
    half = INVITE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def invite_code_issue(*, member: Member, created_by: Member | None) -> tuple[InviteCode, str]:
    """A fresh invite code for ``member``; earlier unused codes of theirs stop working.

    Precondition: the caller checked that ``created_by`` may do this and that the member is
    not yet linked to WeChat. Returns the row and the code (shown once).
    """
    code = _invite_code_generate()
    now = timezone.now()
    with transaction.atomic():
        InviteCode.objects.filter(member=member, used_at__isnull=True).delete()
        invite = InviteCode.objects.create(
            member=member,
            digest=invite_code_digest(code),
            created_by=created_by,
            expires_at=now + dt.timedelta(days=settings.INVITE_CODE_TTL_DAYS),
        )
    return invite, code


@dataclasses.dataclass(frozen=True)
class Invitation:
    member: Member
    invite: InviteCode
    code: str


def member_invite(
    *, actor: Member, unit_id: int, name: str, role: str, phone: str = ""
) -> Invitation:
    """Create a member (alliance.services.member_create checks who may) with an invite code.

    Both or neither: a failure to issue the code leaves no member behind.
    """
    with transaction.atomic():
        member = member_create(actor=actor, unit_id=unit_id, name=name, role=role, phone=phone)
        invite, code = invite_code_issue(member=member, created_by=actor)
    return Invitation(member=member, invite=invite, code=code)


def member_invite_renew(*, actor: Member, member_id: int) -> Invitation:
    """A new invite code for a member not yet linked to WeChat (the old one was lost or
    expired). Same access as creating that member; a linked member is 409
    ``member_already_bound``."""
    member = Member.objects.select_related("unit").filter(pk=member_id).first()
    if member is None:
        raise NotFound()
    if not member_can_issue_invite(actor, member):
        raise member_refusal(actor)
    if member.wechat_openid:
        raise Conflict("member_already_bound")
    invite, code = invite_code_issue(member=member, created_by=actor)
    return Invitation(member=member, invite=invite, code=code)


def invite_code_redeem(*, token: ApiToken, code: str) -> Member:
    """Link the WeChat account of an unbound ``token`` to the member the code was issued for.

    The code is spent; every unbound token of that openid becomes the member's. Refusals:
    400 ``invite_code_invalid`` / ``invite_code_used`` / ``invite_code_expired`` (these
    count as failed attempts for rate limiting), 409 ``already_bound`` if the openid is
    linked already, 409 ``member_already_bound`` if the member is linked to another
    openid, 403 ``member_inactive``.
    """
    openid = token.wechat_openid
    if token.member_id is not None or not openid:
        raise Conflict("already_bound")
    now = timezone.now()
    try:
        with transaction.atomic():
            invite = (
                InviteCode.objects.select_for_update(no_key=True)
                .filter(digest=invite_code_digest(code))
                .first()
            )
            if invite is None:
                raise ValidationFailed("invite_code_invalid")
            if invite.used_at is not None:
                raise ValidationFailed("invite_code_used")
            if invite.expires_at <= now:
                raise ValidationFailed("invite_code_expired")
            member = (
                Member.objects.select_for_update(no_key=True, of=("self",))
                .select_related("user", "unit")
                .get(pk=invite.member_id)
            )
            if not member.is_active:
                raise AccessDenied("member_inactive")
            if member.wechat_openid and member.wechat_openid != openid:
                raise Conflict("member_already_bound")
            if Member.objects.filter(wechat_openid=openid).exclude(pk=member.pk).exists():
                raise Conflict("already_bound")
            member.wechat_openid = openid
            member.save(update_fields=["wechat_openid"])
            invite.used_at = now
            invite.save(update_fields=["used_at"])
            ApiToken.objects.filter(wechat_openid=openid, member__isnull=True).update(member=member)
    except IntegrityError:  # A concurrent bind linked this openid first.
        raise Conflict("already_bound") from None
    token.member = member
    return member


# --- Sign-in ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SignIn:
    """A successful sign-in: the raw token (show it once) and the member, if bound."""

    token: str
    member: Member | None


def wechat_sign_in(*, code: str) -> SignIn:
    """Sign in with a ``wx.login`` code: ask WeChat who it is, then issue a token.

    Bound if the openid is linked to a member, otherwise unbound (browse only, until
    ``invite_code_redeem``). WeChat is asked before anything is written, so any refusal
    writes nothing: 400 ``wechat_code_invalid``, 503 ``wechat_rate_limited`` or
    ``wechat_unavailable`` (with ``retry_after`` while WeChat calls are suspended),
    403 ``member_inactive``.
    """
    try:
        identity = jscode2session(code)
    except WeChatCircuitOpen as exc:
        raise Unavailable("wechat_unavailable", retry_after=exc.retry_after) from None
    except WeChatRateLimited:
        raise Unavailable("wechat_rate_limited") from None
    except WeChatUnavailable:
        raise Unavailable("wechat_unavailable") from None
    except WeChatError as exc:
        if exc.errcode in WECHAT_BAD_CODE:
            raise ValidationFailed("wechat_code_invalid") from None
        # Anything else (a wrong appid or secret, a blocked account) is ours to fix.
        logger.error("WeChat refused jscode2session: errcode %s %s", exc.errcode, exc.errmsg)
        raise Unavailable("wechat_unavailable") from None
    member = (
        Member.objects.select_related("user", "unit").filter(wechat_openid=identity.openid).first()
    )
    if member is not None and not (member.is_active and member.user.is_active):
        raise AccessDenied("member_inactive")
    _, raw = api_token_issue(member=member, openid=identity.openid, channel=SignInChannel.WECHAT)
    return SignIn(token=raw, member=member)


def secretariat_unit_get() -> Unit:
    """The unit of secretariat members created for superusers: the unit named
    ``settings.SECRETARIAT_UNIT_NAME`` (created as a government body if missing)."""
    unit, _ = Unit.objects.get_or_create(
        name=settings.SECRETARIAT_UNIT_NAME,
        defaults={"short_name": "秘书处", "kind": UnitKind.GOVERNMENT},
    )
    return unit


def password_member_authenticate(*, username: str, password: str) -> Member:
    """The active staff member whose username and password these are: the one rule of who
    may sign in with a password, for the API's tokens and the web app's session alike.

    Back-office staff only (unit managers, the secretariat); a Django superuser counts as
    secretariat, and one without a member gets a secretariat member in
    ``secretariat_unit_get()``. Refusals: 400 ``invalid_credentials`` (counted for rate
    limiting) for a wrong password *and* for the right password of an account that is not
    staff (a researcher): one answer, so that it does not tell whether a guess was right;
    403 ``no_member_profile`` for staff without a member, ``member_inactive``.
    """
    user = authenticate(username=username, password=password)
    if user is None or not (user.is_staff or user.is_superuser):
        raise ValidationFailed("invalid_credentials")
    member = Member.objects.select_related("user", "unit").filter(user=user).first()
    if member is None and user.is_superuser:
        with transaction.atomic():
            member, _ = Member.objects.get_or_create(
                user=user,
                defaults={
                    "unit": secretariat_unit_get(),
                    "name": (user.get_full_name() or user.get_username())[:50],
                    "role": MemberRole.SECRETARIAT,
                },
            )
    if member is None:
        raise AccessDenied("no_member_profile")
    if not member.is_active:
        raise AccessDenied("member_inactive")
    return member


def password_sign_in(*, username: str, password: str) -> SignIn:
    """Sign in back-office staff with their password (password_member_authenticate) and
    issue them an API token."""
    member = password_member_authenticate(username=username, password=password)
    _, raw = api_token_issue(member=member, channel=SignInChannel.PASSWORD)
    return SignIn(token=raw, member=member)


def invite_codes_issue_many(
    *, members: list[Member], created_by: Member | None
) -> list[tuple[InviteCode, str]]:
    """Invite codes for many new members at once (an import): one INSERT, not one per member.

    Precondition: as invite_code_issue, and the members have no codes yet (they were just
    created), so none is replaced. Returns (row, code) pairs in the order of ``members``.
    """
    expires_at = timezone.now() + dt.timedelta(days=settings.INVITE_CODE_TTL_DAYS)
    codes = [_invite_code_generate() for _ in members]
    invites = InviteCode.objects.bulk_create(
        InviteCode(
            member=member,
            digest=invite_code_digest(code),
            created_by=created_by,
            expires_at=expires_at,
        )
        for member, code in zip(members, codes, strict=True)
    )
    return list(zip(invites, codes, strict=True))
