"""The back office of issue 12: quotas scoped by unit, and restoring credit points."""

import pytest
from django.urls import reverse

from alliance.models import MemberRole
from bookings.credit import credit_misuse_report
from bookings.models import CreditAccount, CreditEvent, Quota
from tests.bookings.test_admin import signed_in, staff
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory, UnitFactory

pytestmark = pytest.mark.django_db

QUOTA_ADD = "admin:bookings_quota_add"


def test_a_manager_sets_quotas_on_their_resources_only():
    unit = UnitFactory()
    manager = staff(MemberRole.UNIT_MANAGER, unit, "管理员")
    mine, theirs = ResourceFactory(unit=unit), ResourceFactory()
    client = signed_in(manager)
    base = {"scope": "member", "measure": "hours", "period": "week", "limit": 10}
    response = client.post(reverse(QUOTA_ADD), {**base, "resource": theirs.pk, "kind": ""})
    assert response.status_code == 200
    assert not Quota.objects.exists()
    response = client.post(reverse(QUOTA_ADD), {**base, "resource": "", "kind": "equipment"})
    assert response.status_code == 200
    assert not Quota.objects.exists()
    response = client.post(reverse(QUOTA_ADD), {**base, "resource": mine.pk, "kind": ""})
    assert response.status_code == 302
    assert Quota.objects.get().resource == mine


def test_the_secretariat_sets_a_kinds_quota_and_restores_points(frozen_now):
    secretariat = staff(MemberRole.SECRETARIAT, UnitFactory(), "秘书处")
    client = signed_in(secretariat)
    base = {"scope": "unit", "measure": "bookings", "period": "day", "limit": 2}
    response = client.post(reverse(QUOTA_ADD), {**base, "resource": "", "kind": "venue"})
    assert response.status_code == 302
    member = MemberFactory()
    resource = ResourceFactory()
    booking = BookingFactory(
        member=member, resource=resource, start=local(2026, 11, 20, 9), end=local(2026, 11, 20, 10)
    )
    credit_misuse_report(actor=secretariat, booking_id=booking.pk, points=30, reason="损坏")
    account = CreditAccount.objects.get(member=member)
    url = reverse("admin:bookings_creditaccount_changelist")
    response = client.post(
        url,
        {
            "action": "restore_points",
            "_selected_action": [account.pk],
            "post": "yes",
            "points": 20,
            "reason": "核实后撤销",
        },
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.score == 90
    restored = CreditEvent.objects.get(member=member, kind="restored")
    assert (restored.points, restored.reason, restored.actor) == (20, "核实后撤销", secretariat)
    assert (
        client.get(reverse("admin:bookings_creditaccount_change", args=[account.pk])).status_code
        == 200
    )


def test_a_manager_does_not_see_credit_accounts():
    manager = staff(MemberRole.UNIT_MANAGER, UnitFactory(), "管理员")
    response = signed_in(manager).get(reverse("admin:bookings_creditaccount_changelist"))
    assert response.status_code == 403
