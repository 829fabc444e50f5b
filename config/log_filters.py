"""Keep ``django.request`` for real errors.

Django logs every 4xx answer at WARNING and every 5xx at ERROR. In a booking rush almost
every attempt is an expected refusal (409 conflict, 400 rule, 429), so a rush of 1,500
attempts wrote 1,400 warning lines that buried the one real problem. Those answers are the
API working as designed: they go to DEBUG. A deliberate 503 (an outage, which
alliance.outage reports once per burst; WeChat unreachable; /readyz not ready) goes to DEBUG
too, and a database outage's traceback is dropped. A 500 keeps its ERROR and its traceback.
"""

from __future__ import annotations

import logging

from alliance.outage import database_unavailable


class ExpectedAnswersFilter(logging.Filter):
    """For the ``django.request`` logger (config.settings.LOGGING)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if database_unavailable(exc):
            return False  # reported once per burst by alliance.outage
        status = getattr(record, "status_code", None)
        if status is None:
            return True
        expected = 400 <= status < 500 or (status == 503 and exc is None)
        if not expected:
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
