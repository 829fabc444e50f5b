"""Playing the mini-program on a developer's machine (the debug-only page web.views.dev).

Nothing here bypasses a rule: a member not yet linked to WeChat is linked the way the
mini-program would do it (an unbound WeChat token, an invite code, ``invite_code_redeem``),
and the token handed out is a real API token from alliance.tokens. The callers refuse to
run unless ``DEBUG`` is on.
"""

from __future__ import annotations

from django.conf import settings

from alliance.errors import NotFound
from alliance.models import Member, SignInChannel
from alliance.tokens import api_token_issue, invite_code_issue, invite_code_redeem


def dev_openid(member: Member) -> str:
    """The made-up WeChat openid a demo member is linked to on a developer's machine."""
    return f"dev-openid-{member.pk}"


def dev_mini_program_sign_in(*, member_id: int) -> tuple[Member, str]:
    """Sign in to "the mini-program" as this member: ``(member, raw API token)``.

    Links the member to a made-up openid first if needed, through an invite code.
    Refuses outside DEBUG (a programming error: the page is not served then).
    """
    if not settings.DEBUG:
        raise RuntimeError("The mini-program stand-in runs with DEBUG on only")
    member = Member.objects.select_related("user", "unit").filter(pk=member_id).first()
    if member is None:
        raise NotFound()
    if not member.wechat_openid:
        _, code = invite_code_issue(member=member, created_by=None)
        unbound, _ = api_token_issue(openid=dev_openid(member), channel=SignInChannel.WECHAT)
        member = invite_code_redeem(token=unbound, code=code)
    token, raw = api_token_issue(member=member, channel=SignInChannel.WECHAT)
    return token.member, raw
