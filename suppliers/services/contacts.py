"""Who works for which supplier: an administrator makes a user a supplier's user."""

from django.db import transaction

from b2b_portal.permissions import require_permission
from b2b_portal.transitions import stamp_history

from ..models import SupplierContact


@transaction.atomic
def supplier_contact_set(*, actor, user, supplier) -> SupplierContact:
    """Make ``user`` a user of ``supplier`` (one supplier per user: a second call moves
    them). The Supplier role's group is given separately, as every role's is."""
    require_permission(actor, "suppliers.add_suppliercontact", "name a supplier's users")
    contact = SupplierContact.objects.filter(user=user).first() or SupplierContact(user=user)
    contact.supplier = supplier
    stamp_history(contact, actor=actor, reason=f"user of {supplier}")
    contact.save()
    return contact
