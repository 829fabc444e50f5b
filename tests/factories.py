"""Factories for the whole domain, kept consistent: a booking's member belongs to a unit
that may book the resource, and resources open on weekdays 08:00–20:00 by default."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from alliance.models import Member, MemberRole, Unit, UnitKind
from bookings.models import Booking, BookingStatus
from resources.models import Closure, MakeUpWorkingDay, OpeningHours, Resource, ResourceKind


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"成员单位{n}")
    short_name = factory.Sequence(lambda n: f"单位{n}")
    kind = UnitKind.INSTITUTE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"成员{n}")
    role = MemberRole.RESEARCHER


class ResourceFactory(factory.django.DjangoModelFactory):
    """A resource open Monday to Friday 08:00–20:00, no approval needed, 30-minute slots."""

    class Meta:
        model = Resource
        skip_postgeneration_save = True

    unit = factory.SubFactory(UnitFactory)
    kind = ResourceKind.EQUIPMENT
    name = factory.Sequence(lambda n: f"共享仪器{n}")
    building = "光明科学城"
    capacity = 10
    slot_minutes = 30
    min_duration_minutes = 30
    max_duration_minutes = 240
    min_notice_minutes = 60
    max_days_ahead = 30
    buffer_minutes = 0
    requires_approval = False

    @factory.post_generation
    def hours(self, create, extracted, **kwargs):
        """``hours=[(weekday, "08:00", "20:00"), ...]``; default weekdays 08:00–20:00."""
        if not create:
            return
        windows = extracted if extracted is not None else [(d, "08:00", "20:00") for d in range(5)]
        OpeningHours.objects.bulk_create(
            OpeningHours(
                resource=self,
                weekday=weekday,
                start_time=dt.time.fromisoformat(start),
                end_time=dt.time.fromisoformat(end),
            )
            for weekday, start, end in windows
        )


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    resource = factory.SubFactory(ResourceFactory)
    reason = "设备维护"


class MakeUpWorkingDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MakeUpWorkingDay

    opens_as = 0


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking row written directly, for selector tests. Writers use the services."""

    class Meta:
        model = Booking

    resource = factory.SubFactory(ResourceFactory)
    member = factory.SubFactory(MemberFactory)
    unit = factory.SelfAttribute("member.unit")
    blocked_until = factory.LazyAttribute(lambda o: o.end + o.resource.buffer)
    purpose = "样品测试"
    status = BookingStatus.APPROVED
