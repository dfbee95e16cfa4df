"""The API alone, from entry to supply: the clerk enters and books an order, the booking's
Progress Order runs, operations queue Generate Supply Orders and read both runs, and the
line's Peg Trace shows its requisition. Tasks run eagerly (test settings) once the
request's transaction commits."""

import pytest

from procurement.models import RequisitionLine

pytestmark = pytest.mark.django_db


def test_book_through_the_api_then_the_runs_supply_the_line(
    api_as, order_payload, django_capture_on_commit_callbacks
):
    clerk, ops = api_as("clerk"), api_as("ops")
    order = clerk.post("/api/orders/", order_payload, format="json").json()
    with django_capture_on_commit_callbacks(execute=True):
        booked = clerk.post(f"/api/orders/{order['id']}/book/")
    assert booked.status_code == 200

    runs = ops.get("/api/process-runs/", {"process": "progress_order"}).json()["results"]
    assert [(run["trigger"], run["status"], run["requested_by"]) for run in runs] == [
        ("EVENT", "SUCCEEDED", "clerk")
    ]
    assert list(runs[0]["parameters"]) == ["business_unit"]  # the unit's booked lines
    line = clerk.get(f"/api/orders/{order['id']}/").json()["lines"][0]
    assert line["status"] == "AWAITING_SUPPLY"

    with django_capture_on_commit_callbacks(execute=True):
        queued = ops.post(
            "/api/process-runs/", {"process": "generate_supply_orders", "business_unit": "US1"}
        )
    assert queued.status_code == 201, queued.content
    run = ops.get(f"/api/process-runs/{queued.json()['id']}/").json()
    assert run["status"] == "SUCCEEDED" and run["lines_done"] == 1
    kinds = [event["kind"] for event in run["events"]]
    # The timeline as the run's page lists it: by time (the dispatch is timed before the send).
    assert kinds == ["QUEUED", "DISPATCHED", "STARTED", "CHUNK", "SUCCEEDED"]

    requisition_line = RequisitionLine.objects.get(sales_order_line_id=line["id"])
    trace = clerk.get(line["peg_trace"]).json()
    stages = {stage["title"]: stage["documents"] for stage in trace["stages"]}
    assert [doc["number"] for doc in stages["Requisition"]] == [str(requisition_line)]
