"""Pages whose cost does not grow with the data (issue 13): each document page reads the
same number of queries for a document of 5 lines as for one of 200, the dashboard, Manage
Orders and Pick Release the same for 5 rows as for 200 (the Exceptions work area's own
test is in tests/web/changes/test_work_area.py), and the work area, which filters and
sorts in SQL, finds and orders what it shows as the page reads it."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from invoicing.models import ARInvoice
from invoicing.services import APLineInput, ap_invoice_create, autoinvoice_import
from orchestration.demo import bulk_book_orders
from procurement.services import orders_progress, supply_orders_generate
from receiving.services import ReceiptLineInput, receipt_create
from tests.helpers import cancel, queries_to_render, receive, ship
from tests.web.changes.support import make_late

pytestmark = pytest.mark.django_db


def document_pages(world, drive_to_po, lines: int) -> dict[str, str]:
    """An order of ``lines`` lines carried to its PO, received, shipped, billed to the
    customer and invoiced by the supplier; the address of each of its document pages."""
    order, po_lines = drive_to_po(*[("SRV-DL380-G11", "1")] * lines)
    purchase_order = po_lines[0].purchase_order
    receipt_create(
        actor=world.users["receiver"],
        purchase_order=purchase_order,
        lines=[
            ReceiptLineInput(purchase_order_line=line, quantity=Decimal(1)) for line in po_lines
        ],
    )
    [shipment] = ship(world, sales_order=order)
    autoinvoice_import(actor=world.users["ar"])
    ap_invoice = ap_invoice_create(
        actor=world.users["ap"],
        purchase_order=purchase_order,
        supplier_invoice_number=f"BIG-{lines}",
        invoice_date=timezone.localdate(),
        lines=[APLineInput(purchase_order_line=line, quantity=Decimal(1)) for line in po_lines],
    )
    ar_invoice = ARInvoice.objects.filter(lines__sales_order_line__order=order).distinct().get()
    return {
        "order": reverse("orders:detail", args=[order.pk]),
        "purchase order": reverse("procurement:po_detail", args=[purchase_order.pk]),
        "pick slip": reverse("shipping:wave_detail", args=[shipment.pick_wave_id]),
        "shipment": reverse("shipping:shipment_detail", args=[shipment.pk]),
        "AR invoice": reverse("invoicing:ar_detail", args=[ar_invoice.pk]),
        "AP invoice": reverse("invoicing:ap_detail", args=[ap_invoice.pk]),
    }


def test_a_document_page_costs_the_same_queries_at_5_and_200_lines(
    client, world, users, drive_to_po
):
    client.force_login(users["admin"])
    small = document_pages(world, drive_to_po, 5)
    large = document_pages(world, drive_to_po, 200)
    at_5 = {page: queries_to_render(client, url) for page, url in small.items()}
    at_200 = {page: queries_to_render(client, url) for page, url in large.items()}
    assert at_200 == at_5


@pytest.mark.parametrize(
    ("username", "url", "params"),
    [
        ("admin", "home", {}),
        ("buyer", "home", {}),
        ("clerk", "home", {}),
        ("clerk", "orders:list", {}),
        ("clerk", "orders:list", {"status": "BOOKED"}),
        ("clerk", "orders:list", {"sort": "customer"}),
        ("shipper", "shipping:release", {}),
    ],
)
def test_a_list_page_costs_the_same_queries_at_5_and_200_rows(
    client, world, users, username, url, params
):
    client.force_login(users[username])
    url = reverse(url)
    bulk_book_orders(world, count=5)
    at_5 = queries_to_render(client, url, **params)
    bulk_book_orders(world, count=195)
    assert queries_to_render(client, url, **params) == at_5


def test_the_work_area_searches_and_sorts_in_sql_as_the_page_shows(
    client, world, users, drive_to_po, unsourced_item
):
    # Late supply partly received (its message is written in SQL for the search), a
    # supplier cancellation and a supply order without a sourcing rule.
    _, [late] = drive_to_po(("SRV-DL380-G11", "2"))
    receive(world, late, "1")
    make_late(world, late)
    cancelled, _ = drive_to_po(("STO-A400-96T", "1"))
    cancel(world, cancelled.lines.get())
    bulk_book_orders(world, count=1, item_number=unsourced_item.number)
    orders_progress(actor=users["manager"])
    supply_orders_generate(actor=users["buyer"])
    client.force_login(users["buyer"])
    url = reverse("orchestration:exceptions")

    def shown(**params) -> list[tuple[str, str]]:
        rows = client.get(url, params).context["rows"]
        return [(row.entry.kind, row.entry.message) for row in rows]

    every = shown()
    assert len(every) == 3
    assert shown(sort="kind") == sorted(every)
    late_message = next(message for kind, message in every if kind == "Late supply")
    assert "1.000 of 2.000 not received" in late_message
    for text in (late_message[-30:].upper(), str(late.purchase_order), str(late.sales_order_line)):
        assert shown(q=text) == [("Late supply", late_message)]
    assert [kind for kind, _ in shown(q="line")] == [kind for kind, _ in every]
    assert shown(kind="No usable sourcing rule", owner="Buyer")[0][0] == "No usable sourcing rule"
    assert shown(owner="AP Accountant") == []
