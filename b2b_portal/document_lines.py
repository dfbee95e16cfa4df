"""A document page's lines a page at a time (issue 13: long document pages stay fast).

A 500-line PO rendered whole took a second (about 2 ms a line). Its page now shows
``LINES_PER_PAGE`` lines with the pager ``includes/line_pager.html`` ("Lines 51-100 of
500"; ``?lines=2`` is the second page); a page's history, which grows with its lines,
pages the same way under ``?history=``. What the header says about every line (the total,
the tax, the status) the view computes in SQL over all the lines (``lines_total``), never
from the lines shown. The printed documents and their PDFs show every line.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from .queries import AMOUNT, line_amount

LINES_PER_PAGE = 50
LINES_PARAMETER = "lines"
HISTORY_PARAMETER = "history"


@dataclass(frozen=True)
class PageLink:
    label: str
    url: str | None  # None for the page shown and for the gap between numbers
    current: bool = False


def paged(request, rows, *, parameter: str = LINES_PARAMETER, per_page: int = LINES_PER_PAGE):
    """The page of ``rows`` (an ordered queryset or a list) that ``?<parameter>=`` asks for:
    the first for a missing or unreadable number, the last for one past the end. The page
    carries its ``links`` for the pager, each keeping the rest of the query string."""
    page = Paginator(rows, per_page).get_page(request.GET.get(parameter))
    page.links = _links(request, page, parameter) if page.has_other_pages() else []
    return page


def _links(request, page: Page, parameter: str) -> list[PageLink]:
    def url(number) -> str:
        query = request.GET.copy()
        query[parameter] = number
        return f"?{query.urlencode()}"

    links = []
    if page.has_previous():
        links.append(PageLink("Previous", url(page.previous_page_number())))
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == page.number:
            links.append(PageLink(str(number), None, current=True))
        else:
            is_gap = number == Paginator.ELLIPSIS
            links.append(PageLink(str(number), None if is_gap else url(number)))
    if page.has_next():
        links.append(PageLink("Next", url(page.next_page_number())))
    return links


def lines_total(lines, *, price: str = "unit_price", condition: Q | None = None) -> Decimal:
    """The sum of every line's rounded amount, in one query (``condition``: which lines
    count, e.g. the live ones)."""
    amounts = lines.filter(condition or Q()).order_by()
    total = amounts.aggregate(
        total=Coalesce(Sum(line_amount(price)), Decimal(0), output_field=AMOUNT)
    )
    return total["total"]
