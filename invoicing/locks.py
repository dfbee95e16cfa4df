"""The locking querysets of the invoices and holds, one per table (Saleor's lock_objects).

Each takes only its own rows (``of=("self",)``: a ``select_related()`` supplier is read,
never locked) in pk order. The order across tables is in docs/architecture.md, "Locking
order". Callers filter the queryset and say why they lock.
"""

from django.db.models import QuerySet

from .models import APInvoice, APInvoiceHold, ARInvoice


def ap_invoices_for_update() -> QuerySet[APInvoice]:
    return APInvoice.objects.select_for_update(of=("self",)).order_by("pk")


def ap_invoice_holds_for_update() -> QuerySet[APInvoiceHold]:
    return APInvoiceHold.objects.select_for_update(of=("self",)).order_by("pk")


def ar_invoices_for_update() -> QuerySet[ARInvoice]:
    return ARInvoice.objects.select_for_update(of=("self",)).order_by("pk")
