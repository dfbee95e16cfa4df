"""Domain fixtures shared by every test folder (registered by ``tests/conftest.py``)."""

import pytest

from orchestration.demo import load_demo_data


@pytest.fixture
def world(db):
    """The demo world: business units, items, suppliers, rules and one user per role."""
    return load_demo_data()


@pytest.fixture
def users(world):
    return world.users
