"""Helpers of the order page tests: the Create Order post."""

import uuid


def order_post(world, lines, *, action="save", token=None, **header) -> dict:
    """The Create Order form as a browser posts it; ``lines`` are (item number, qty, price).

    Each call has a fresh submission token unless ``token`` is given (the tokens used are
    kept in the cache, which outlives a test).
    """
    data = {
        "business_unit": world.units["US1"].pk,
        "customer": world.customers["C-1001"].pk,
        "warehouse": world.warehouses["M1"].pk,
        "requested_date": "2030-01-15",
        "customer_po_number": "PO-ACME-77",
        "submission_token": token or uuid.uuid4().hex,
        "action": action,
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "100",
    }
    for i, (item, quantity, price) in enumerate(lines):
        data[f"lines-{i}-item"] = world.items[item].pk if item in world.items else item
        data[f"lines-{i}-quantity"] = quantity
        data[f"lines-{i}-unit_selling_price"] = price
    data.update(header)
    return data
