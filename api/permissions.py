"""Permission classes of the v1 endpoints.

Who may do what is decided in alliance.access; these classes only say which callers reach a
view at all. Browsing needs a signed-in caller, bound or not (DRF's IsAuthenticated, the
default); booking and deciding need a caller bound to an active member (IsBoundMember: 403
``not_bound`` or ``member_inactive``). Both come from api.authentication and are re-exported
here so that views import their gatekeepers from one place.
"""

from __future__ import annotations

from rest_framework.permissions import IsAuthenticated

from api.authentication import IsBoundMember, request_member

__all__ = ["IsAuthenticated", "IsBoundMember", "request_member"]
