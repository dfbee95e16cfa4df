"""The API tests' clients: each signed in with a personal token made through the service."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.services import api_token_create


def token_client(user) -> APIClient:
    _token, key = api_token_create(actor=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api_as(world):
    """``api_as("clerk")``: a client of that role's user, authenticated by a token."""
    return lambda username: token_client(world.users[username])


@pytest.fixture
def order_payload(world):
    """Two servers for Acme, requested in 30 days, the list price."""
    return {
        "business_unit": "US1",
        "customer": "C-1001",
        "warehouse": "M1",
        "requested_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "customer_po_number": "ACME-PO-77",
        "lines": [{"item": "SRV-DL380-G11", "quantity": "2"}],
    }
