"""The actors of tests/alliance/test_access*.py: every role of units A, B and C, the booker,
each active or with their membership or unit (or both) deactivated, nobody and SYSTEM."""

from __future__ import annotations

from dataclasses import dataclass

from alliance.models import MemberRole

ROLES = {
    "researcher": MemberRole.RESEARCHER,
    "unit_manager": MemberRole.UNIT_MANAGER,
    "secretariat": MemberRole.SECRETARIAT,
}
STATES = {"": (True, True), "member-off": (False, True), "unit-off": (True, False)}
STATES["both-off"] = (False, False)


def _name(base: str, state: str) -> str:
    return f"{base} {state}" if state else base


MEMBER_ACTORS = [
    _name(f"{role}@{unit}", state) for role in ROLES for unit in "ABC" for state in STATES
] + [_name("booker", state) for state in STATES]
ACTORS = [*MEMBER_ACTORS, "nobody", "system"]

SECRETARIAT = {"secretariat@A", "secretariat@B", "secretariat@C"}


@dataclass(frozen=True)
class Actor:
    """How to make one actor of ACTORS: its role, unit and the two active flags."""

    name: str
    role: str | None
    unit: str
    member_active: bool
    unit_active: bool

    @classmethod
    def parse(cls, name: str) -> Actor:
        if name in ("nobody", "system"):
            return cls(name, None, "", True, True)
        who, _, state = name.partition(" ")
        member_active, unit_active = STATES[state]
        if who == "booker":
            return cls(name, "booker", "A", member_active, unit_active)
        role, unit = who.split("@")
        return cls(name, role, unit, member_active, unit_active)
