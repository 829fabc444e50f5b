"""Who acts when a service runs: a member, or the alliance's own machinery (SYSTEM).

Every service that checks access takes ``actor``. A member is judged by alliance.access;
``SYSTEM`` (seed_demo, management commands, bookings.jobs) may do what the service allows
the system to do. ``None`` is neither: forgetting the actor is a programming error
(TypeError), never "the system may do anything". The API and the back office always pass
the signed-in member and refuse before calling a service when there is none.

In the database the system stays a null actor (BookingEvent.actor), derived from SYSTEM by
:func:`actor_member`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, TypeAlias

if TYPE_CHECKING:
    from alliance.models import Member


class SystemActor:
    """The one SYSTEM actor: not a member, has no unit and no primary key."""

    _instance: SystemActor | None = None

    def __new__(cls) -> SystemActor:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SYSTEM"

    def __reduce__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = SystemActor()

Actor: TypeAlias = "Member | SystemActor"


def actor_require(actor: object) -> None:
    """Refuse a missing actor. Call first in every service that takes one."""
    if actor is None:
        raise TypeError("actor is required: pass the acting member or alliance.actors.SYSTEM")


def actor_is_system(actor: object) -> bool:
    return actor is SYSTEM


def actor_member(actor: Actor) -> Member | None:
    """The member to record as the actor: None for SYSTEM (a null BookingEvent.actor)."""
    actor_require(actor)
    return None if actor is SYSTEM else actor
