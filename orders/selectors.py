"""Read queries on sales order lines that processes and pages share."""

from processes.batching import filter_by


def order_lines_filtered(
    lines, *, business_unit=None, sales_order=None, date_from=None, date_to=None
):
    """Narrow order lines by a run's parameters: unit, order, ordered-date range."""
    return filter_by(
        lines,
        order__business_unit=business_unit,
        order=sales_order,
        order__ordered_date__gte=date_from,
        order__ordered_date__lte=date_to,
    )
