"""The check every supplier action starts with: the actor is a supplier user and the PO
is their supplier's (the unit membership of the other roles does not apply to them)."""

from b2b_portal.errors import PermissionRefused
from b2b_portal.permissions import require_permission
from procurement.locks import purchase_orders_for_update

from ..selectors import purchase_orders_of

NOT_YOUR_SUPPLIERS = "{po} is not a purchase order of your supplier."


def locked_purchase_order_of_supplier(actor, purchase_order, action: str):
    """The PO, locked (first of the cycle's locks), once the actor may act on it."""
    require_permission(actor, "suppliers.collaborate_supplier", action)
    if not purchase_orders_of(actor).filter(pk=purchase_order.pk).exists():
        raise PermissionRefused(NOT_YOUR_SUPPLIERS.format(po=purchase_order))
    return purchase_orders_for_update().select_related("supplier").get(pk=purchase_order.pk)
