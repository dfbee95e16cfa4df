"""The workbench menu: each entry is shown to users holding its permission.

Every entry names a page that exists: a wrong URL name fails every page loudly rather
than quietly dropping its menu entry.
"""

from django.urls import reverse

# (section, label, url name, permission or a tuple of permissions any of which will do)
MENU = [
    ("Order Management", "Create Order", "orders:create", "orders.add_salesorder"),
    ("Order Management", "Manage Orders", "orders:list", "orders.view_salesorder"),
    (
        "Procurement",
        "Process Requisitions",
        "procurement:requisitions",
        "procurement.add_purchaseorder",
    ),
    (
        "Procurement",
        "Manage Purchase Orders",
        "procurement:po_list",
        "procurement.view_purchaseorder",
    ),
    ("Receiving", "Receive Expected Shipments", "receiving:expected", "receiving.add_receipt"),
    ("Receiving", "Receipts", "receiving:receipt_list", "receiving.view_receipt"),
    ("Shipping", "Pick Release", "shipping:release", "shipping.add_pickwave"),
    ("Shipping", "Shipments", "shipping:shipment_list", "shipping.view_shipment"),
    ("Payables", "Create Invoice", "invoicing:ap_create", "invoicing.add_apinvoice"),
    ("Payables", "AP Invoices", "invoicing:ap_list", "invoicing.view_apinvoice"),
    ("Receivables", "AR Invoices", "invoicing:ar_list", "invoicing.view_arinvoice"),
    ("Operations", "Scheduled Processes", "processes:run_list", "processes.view_processrun"),
    ("Operations", "Background Health", "processes:health", "processes.add_processrun"),
    (
        "Operations",
        "Exceptions",
        "orchestration:exceptions",
        ("orders.view_salesorder", "procurement.view_purchaseorder", "invoicing.view_apinvoice"),
    ),
]


def menu(request) -> dict:
    """Context processor: ``menu`` is [(section, [(label, url), ...]), ...] for this user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    sections: dict[str, list] = {}
    for section, label, url_name, permission in MENU:
        alternatives = (permission,) if isinstance(permission, str) else permission
        if not any(user.has_perm(name) for name in alternatives):
            continue
        sections.setdefault(section, []).append((label, reverse(url_name)))
    return {"menu": list(sections.items())}
