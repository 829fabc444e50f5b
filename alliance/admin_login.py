"""The back office's sign-in form (/admin/login/), under the same failure limits as the API.

Django's admin would let anyone try passwords for ever. This form checks
alliance.ratelimit's limits for the (username, address) pair and the address *before*
checking the password, counts every refusal (a wrong password, or an account that may not
enter the back office), and forgets the pair's failures after a success. The counters are
the API's password sign-in's: a guess through either door counts for both.
"""

from __future__ import annotations

import math

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from alliance.errors import MESSAGES
from alliance.ratelimit import (
    client_address,
    sign_in_failure_record,
    sign_in_success_record,
    sign_in_wait,
    username_account,
)


class RateLimitedAdminAuthenticationForm(AdminAuthenticationForm):
    """AdminAuthenticationForm that refuses, even the right password, while the attempt is
    over a failure limit. Precondition: built with the request (the admin's LoginView
    passes it)."""

    def clean(self):
        address = client_address(self.request)
        account = username_account(self.cleaned_data.get("username"))
        wait = sign_in_wait(address=address, account=account)
        if wait is not None:
            raise ValidationError(
                MESSAGES["sign_in_rate_limited"],
                code="sign_in_rate_limited",
                params={"minutes": math.ceil(wait / 60)},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            sign_in_failure_record(address=address, account=account)
            raise
        sign_in_success_record(address=address, account=account)
        return cleaned
