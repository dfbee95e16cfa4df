"""The workbench menu: each entry is shown to users holding its permission.

Every entry names a page that exists: a wrong URL name fails every page loudly rather
than quietly dropping its menu entry.
"""

from functools import lru_cache

from django.urls import get_script_prefix, reverse

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
    (
        "Supplier Portal",
        "My Purchase Orders",
        "suppliers:po_list",
        "suppliers.collaborate_supplier",
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


# Each menu page's permissions, any of which opens it (``MENU``).
_MENU_PERMISSIONS = {
    url_name: (permission,) if isinstance(permission, str) else permission
    for _, _, url_name, permission in MENU
}


# A user with more sections than fit the navbar at 1366 px (the administrator's eight) sees
# them grouped, each section a header in its group's dropdown; fewer keep their own menus.
MAX_NAVBAR_SECTIONS = 6
SECTION_GROUPS = {
    "Procurement": "Supply",
    "Supplier Portal": "Supply",
    "Receiving": "Supply",
    "Payables": "Finance",
    "Receivables": "Finance",
}


def menu(request) -> dict:
    """Context processor: ``menu`` is [(menu, [(label, url), ...]), ...] for this user; an
    entry without a URL is a section's header in a grouped menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    # An active user holds a permission exactly when it is in their set (a superuser's set
    # is every permission): users of one role share one menu, built once per process.
    held = frozenset(user.get_all_permissions()) if user.is_active else frozenset()
    return {"menu": _menu_of(held, get_script_prefix())}


@lru_cache(maxsize=256)
def _menu_of(held: frozenset, script_prefix: str) -> list:
    sections: dict[str, list] = {}
    for section, label, url_name, _ in MENU:
        if held.isdisjoint(_MENU_PERMISSIONS[url_name]):
            continue
        sections.setdefault(section, []).append((label, reverse(url_name)))
    if len(sections) <= MAX_NAVBAR_SECTIONS:
        return list(sections.items())
    groups: dict[str, list] = {}
    for section, entries in sections.items():
        groups.setdefault(SECTION_GROUPS.get(section, section), []).append((section, entries))
    return [_merged(group, members) for group, members in groups.items()]


def _merged(group: str, members: list) -> tuple[str, list]:
    """One dropdown of a group's sections, each under its header; a group of one section
    keeps the section's name."""
    if len(members) == 1:
        return members[0]
    return group, [entry for name, entries in members for entry in [(name, None), *entries]]


# Breadcrumbs (templatetags/breadcrumbs.py): (namespace, URL-name prefix) -> the menu
# section and list a page belongs to; the first match wins, "" matches the rest.
CRUMB_LISTS = [
    ("orders", "", "Order Management", "Manage Orders", "orders:list"),
    (
        "procurement",
        "requisition",
        "Procurement",
        "Process Requisitions",
        "procurement:requisitions",
    ),
    (
        "procurement",
        "document_builder",
        "Procurement",
        "Process Requisitions",
        "procurement:requisitions",
    ),
    (
        "procurement",
        "supply_resource",
        "Procurement",
        "Process Requisitions",
        "procurement:requisitions",
    ),
    ("procurement", "", "Procurement", "Manage Purchase Orders", "procurement:po_list"),
    ("receiving", "receipt", "Receiving", "Receipts", "receiving:receipt_list"),
    ("receiving", "", "Receiving", "Receive Expected Shipments", "receiving:expected"),
    ("shipping", "release", "Shipping", "Pick Release", "shipping:release"),
    ("shipping", "wave", "Shipping", "Pick Release", "shipping:release"),
    ("shipping", "", "Shipping", "Shipments", "shipping:shipment_list"),
    ("invoicing", "ar_", "Receivables", "AR Invoices", "invoicing:ar_list"),
    ("invoicing", "credit_memo", "Receivables", "AR Invoices", "invoicing:ar_list"),
    ("invoicing", "", "Payables", "AP Invoices", "invoicing:ap_list"),
    ("orchestration", "exception", "Operations", "Exceptions", "orchestration:exceptions"),
    ("orchestration", "po_line", "Procurement", "Manage Purchase Orders", "procurement:po_list"),
    ("orchestration", "", "Order Management", "Manage Orders", "orders:list"),
    ("processes", "health", "Operations", "Background Health", "processes:health"),
    ("processes", "", "Operations", "Scheduled Processes", "processes:run_list"),
    ("api", "", "Account", "API tokens", "api:tokens"),
    ("suppliers", "", "Supplier Portal", "My Purchase Orders", "suppliers:po_list"),
]
ACTION_LABELS = {
    "orders:create": "Create Order",
    "procurement:document_builder": "Document Builder",
    "procurement:po_print": "Print",
    "procurement:requisition_line_cancel": "Cancel line",
    "procurement:supply_resource": "Re-source",
    "invoicing:hold_release": "Release hold",
    "invoicing:hold_adjust_to_received": "Adjust to received",
    "orchestration:line_change_quantity": "Change quantity",
    "orchestration:line_repromise": "Re-promise",
    "orchestration:po_line_close_short": "Close short",
    "receiving:receive": "Receive",
    "receiving:receive_ship_notice": "Receive ship notice",
    "suppliers:ship_notice_create": "Send ship notice",
    "suppliers:invoice_create": "Enter invoice",
    "invoicing:ap_create": "Create Invoice",
    "invoicing:ap_create_for_po": "Create Invoice",
    "invoicing:ar_print": "Print",
    "invoicing:credit_memo_print": "Print",
    "orchestration:peg_trace": "Peg Trace",
    "processes:schedule": "Schedule New Process",
}


# A page acting on a line (or a hold) shows the document the line belongs to: the path
# from the line's model to it. A requisition line has no document page: it shows itself.
DOCUMENT_OF_LINE = {
    "orders.salesorderline": "order",
    "procurement.purchaseorderline": "purchase_order",
    "procurement.requisitionline": "",
    "invoicing.apinvoiceline": "invoice",
    "invoicing.apinvoicehold": "invoice",
    "shipping.shipmentline": "shipment",
}


def document_of(obj):
    """The document a page about ``obj`` acts on: its line's document, else ``obj``; None
    when ``obj`` is neither a document (it has a page) nor a line of one."""
    path = DOCUMENT_OF_LINE.get(obj._meta.label_lower)
    if path is None:
        return obj if hasattr(obj, "get_absolute_url") else None
    for name in filter(None, path.split(".")):
        obj = getattr(obj, name)
    return obj


def crumb_list(namespace: str, url_name: str) -> tuple[str, str, str] | None:
    """(area, list label, list URL name) of a page, or None (home, sign-in, the admin)."""
    for space, prefix, area, label, list_name in CRUMB_LISTS:
        if space == namespace and url_name.startswith(prefix):
            return area, label, list_name
    return None


def may_open(user, url_name: str) -> bool:
    """Whether ``user`` holds a permission the menu asks for the page ``url_name``; a page
    outside the menu (API tokens) is any signed-in user's."""
    permissions = _MENU_PERMISSIONS.get(url_name)
    return permissions is None or any(user.has_perm(permission) for permission in permissions)


def action_label(view_name: str) -> str:
    """The last crumb of a page that acts on a document: "procurement:po_line_edit" ->
    "Line edit", unless ``ACTION_LABELS`` names it."""
    if view_name in ACTION_LABELS:
        return ACTION_LABELS[view_name]
    url_name = view_name.rpartition(":")[2]
    return url_name.split("_", 1)[-1].replace("_", " ").capitalize()
