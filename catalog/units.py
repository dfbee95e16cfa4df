"""Who works in which business unit: the one rule for what a user may see and change.

A user works in the units they are a member of; an administrator (superuser) works in
every unit. Pages, forms, the admin, the work area, the run log and the services all ask
here, so the rule (and its superuser exception) is written once.
"""

from django.db.models import QuerySet

from b2b_portal.errors import PermissionRefused
from b2b_portal.permissions import holds_lent

from .models import BusinessUnit

NOT_YOUR_UNIT = "{actor} does not work in this document's business unit."


def business_units_of(user) -> QuerySet[BusinessUnit]:
    """The units ``user`` works in, as a queryset (usable as a subquery filter)."""
    if user.is_superuser:
        return BusinessUnit.objects.all()
    return BusinessUnit.objects.filter(members=user)


def works_in_every_unit(user) -> bool:
    """True for an administrator, or a user who is a member of every unit there is."""
    return user.is_superuser or not BusinessUnit.objects.exclude(members=user).exists()


def scope_to_units(queryset: QuerySet, user, path: str = "business_unit") -> QuerySet:
    """The rows of ``queryset`` whose business unit, reached through ``path``, ``user``
    works in. ``path`` is a lookup such as ``"business_unit"`` or ``"order__business_unit"``.
    """
    if user.is_superuser:
        return queryset
    return queryset.filter(**{f"{path}__members": user})


def require_business_unit(actor, business_unit_id: int) -> None:
    """Refuse a service call on a document of a unit the actor does not work in (or was
    not lent, ``b2b_portal.permissions.lent``)."""
    if holds_lent(actor, business_unit_id=business_unit_id):
        return
    if not business_units_of(actor).filter(pk=business_unit_id).exists():
        raise PermissionRefused(NOT_YOUR_UNIT.format(actor=actor))
