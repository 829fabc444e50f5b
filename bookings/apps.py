from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    def ready(self) -> None:
        # Every save or delete of a booking or session marks the figures' days it touched
        # (bookings.figures.rollup, docs/decisions/0016-figures-rollup.md).
        from bookings.figures import rollup

        rollup.connect()
