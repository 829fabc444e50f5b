"""Database constraints that only PostgreSQL can enforce.

SQLite, the embedded default, has no exclusion constraints. There the scheduler's
serialised writers (IMMEDIATE transactions) are the guarantee; on PostgreSQL the exclusion
constraint is the final word even if a writer forgot the lock. See
docs/bookings-concurrency.md.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField
from django.db.models import Func


class TsTzRange(Func):
    """tstzrange(lower, upper, '[)'): a half-open range of instants."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An ExclusionConstraint that is a no-op on other database vendors."""

    def _is_postgres(self, schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return (
            super().constraint_sql(model, schema_editor)
            if self._is_postgres(schema_editor)
            else None
        )

    def create_sql(self, model, schema_editor):
        return (
            super().create_sql(model, schema_editor) if self._is_postgres(schema_editor) else None
        )

    def remove_sql(self, model, schema_editor):
        return (
            super().remove_sql(model, schema_editor) if self._is_postgres(schema_editor) else None
        )

    def validate(self, model, instance, exclude=None, using="default"):
        # The scheduler checks overlaps itself; the database enforces them. Model
        # validation must not depend on the vendor, so it leaves this one to the database.
        return None
