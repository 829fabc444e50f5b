"""Member units of the alliance, the people who work for them, and their roles."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    LAB = "lab", _("National or provincial laboratory")
    INSTITUTE = "institute", _("Research institute")
    ENTERPRISE = "enterprise", _("Enterprise")
    GOVERNMENT = "government", _("Government body")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")


class Unit(models.Model):
    """A member unit (成员单位) of the Party-building alliance."""

    Kind = UnitKind

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("member unit")
        verbose_name_plural = _("member units")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=UnitKind.values), name="unit_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class MemberRole(models.TextChoices):
    RESEARCHER = "researcher", _("Researcher")
    UNIT_MANAGER = "unit_manager", _("Unit resource manager")
    SECRETARIAT = "secretariat", _("Secretariat")


class Member(models.Model):
    """A person of a member unit who may use the alliance's shared resources.

    Each member has one role. Unit resource managers manage their own unit's resources and
    decide on bookings of them; the secretariat (秘书处) runs the whole alliance.
    """

    Role = MemberRole

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.PROTECT,
        related_name="member",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.RESEARCHER)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    wechat_openid = models.CharField(
        _("WeChat openid"), max_length=64, null=True, blank=True, unique=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["unit__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=MemberRole.values), name="member_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class SignInChannel(models.TextChoices):
    WECHAT = "wechat", _("WeChat mini-program")
    PASSWORD = "password", _("Username and password")  # noqa: S105 - a label, not a secret


class ApiToken(models.Model):
    """A bearer token of the REST API (``Authorization: Bearer <token>``).

    The token itself is shown once, when issued; only its SHA-256 ``digest`` is stored, so
    a copy of the database signs no one in. A token belongs to a member (bound) or, after a
    WeChat sign-in by someone not yet linked to a member, only to a WeChat openid (unbound:
    it may browse but not book). Issued, checked and revoked by alliance.tokens only.
    """

    Channel = SignInChannel

    digest = models.CharField(_("SHA-256 digest"), max_length=64, unique=True)
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
    )
    wechat_openid = models.CharField(_("WeChat openid"), max_length=64, blank=True, db_index=True)
    channel = models.CharField(_("signed in with"), max_length=8, choices=Channel.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(member__isnull=False) | ~models.Q(wechat_openid=""),
                name="apitoken_has_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=SignInChannel.values),
                name="apitoken_channel_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"API token {self.pk} ({self.get_channel_display()})"


class InviteCode(models.Model):
    """A one-time code that links a WeChat account to a member (``POST /auth/bind/``).

    Given to the person when their membership is created; works once and expires. Only a
    keyed digest (HMAC-SHA256 with SECRET_KEY) is stored, so codes cannot be recovered or
    brute-forced offline from the database. Issued and redeemed by alliance.tokens only.
    """

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="invite_codes"
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        Member,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invite code")
        verbose_name_plural = _("invite codes")

    def __str__(self) -> str:
        return f"Invite code {self.pk} for {self.member}"


class WebSignInChallenge(models.Model):
    """A one-time request to sign a browser in, confirmed with the mini-program (issue 8).

    The browser shows ``alliance-share:web-sign-in:<id>:<secret>`` as a QR code; the
    mini-program confirms it with its bearer token and the secret; the browser that created
    it (and only that one: it holds the browser secret in its session) then completes it
    once. Only SHA-256 digests of both secrets are stored. Written by
    alliance.web_sign_in only.
    """

    id = models.UUIDField(primary_key=True, editable=False)
    secret_digest = models.CharField(_("secret digest"), max_length=64)
    browser_digest = models.CharField(_("browser digest"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        Member,
        verbose_name=_("confirmed by"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("web sign-in challenge")
        verbose_name_plural = _("web sign-in challenges")
        indexes = [models.Index(fields=["expires_at"], name="websignin_expires_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confirmed_at__isnull=True)
                | models.Q(confirmed_by__isnull=False),
                name="websignin_confirmed_has_member",
            ),
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True) | models.Q(confirmed_at__isnull=False),
                name="websignin_used_after_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"Web sign-in challenge {self.pk}"
