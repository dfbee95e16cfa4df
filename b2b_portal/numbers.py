"""Document numbers as users type them: ``PO-000123``, ``po123`` or ``123``.

One reading for every search box, form field and page that takes a number, so that a
number found on one page is found on every other.
"""

import re

# Primary keys are PostgreSQL integers: a longer number can name no document.
LARGEST_NUMBER = 2**31 - 1


def document_number(text: str, prefix: str) -> int | None:
    """The primary key behind a number typed as ``PO-000123``, ``po123`` or ``123`` (for
    prefix ``PO``); None when the text is not such a number."""
    match = re.fullmatch(rf"(?:{prefix}-?)?0*(\d+)", text.strip(), re.IGNORECASE | re.ASCII)
    if match is None or int(match.group(1)) > LARGEST_NUMBER:
        return None
    return int(match.group(1))
