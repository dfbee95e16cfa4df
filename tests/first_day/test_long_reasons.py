"""A reason may be as long as its form allows (240 characters); the history row keeps what
fits its 100-character column instead of failing the whole action with a database error."""

import pytest

from orders.models import LineStatus
from tests.helpers import cancel, place_order

pytestmark = pytest.mark.django_db


def test_a_line_cancelled_for_240_characters_keeps_the_reason_and_a_shortened_history(world):
    order = place_order(world, ("SRV-DL380-G11", "2"))
    line = order.lines.get()
    reason = "x" * 240

    cancel(world, line, reason=reason)

    line.refresh_from_db()
    assert (line.status, line.cancel_reason) == (LineStatus.CANCELLED, reason)
    history_reason = line.history.first().history_change_reason
    assert len(history_reason) == 100 and history_reason.endswith("…")
    assert history_reason.startswith("cancelled: xxx")
