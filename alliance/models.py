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
