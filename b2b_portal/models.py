"""Abstract bases shared by the apps' models (this package is not an app of its own)."""

from functools import cache

from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMFieldMixin

from .integrity import ReadableConstraintsModel


class TimeStampedModel(ReadableConstraintsModel):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class BusinessDocument(TimeStampedModel):
    """A document of one business unit; users see and act only within their units.

    Numbers are the primary key shown with a prefix (``SO-000123``): race-free, gap-tolerant,
    like the numbers of the ERPs our users come from.
    """

    number_prefix = ""

    business_unit = models.ForeignKey("catalog.BusinessUnit", on_delete=models.PROTECT)

    class Meta:
        abstract = True

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return self.number_of(self.pk) if self.pk else f"{self.number_prefix}-new"

    @classmethod
    def number_of(cls, pk: int) -> str:
        """The number of the document ``pk``, for rows read as values (no model per row)."""
        return f"{cls.number_prefix}-{pk:06d}"


class ConcurrentTransitions(ConcurrentTransitionMixin):
    """django-fsm's ``ConcurrentTransitionMixin`` (a save refused when the status moved
    since the row was read), its status fields found once per model: the mixin looks for
    them among every field each time it builds an instance, a tenth of the Python time of
    a process reading 20,000 rows."""

    @property
    def state_fields(self):
        return _state_fields(type(self))


@cache
def _state_fields(model) -> tuple:
    return tuple(field for field in model._meta.fields if isinstance(field, FSMFieldMixin))
