"""Fixtures of the scheduled-process tests."""

import pytest

from tests.processes.real_workers import RedisServer, use_broker


@pytest.fixture
def private_broker(tmp_path):
    """A Redis server of the test's own, started, that this process's tasks are sent to
    (not eager); stopped and the settings' broker restored afterwards."""
    server = RedisServer(tmp_path)
    server.start()
    use_broker(server.url)
    yield server
    use_broker(None)
    if server.process.poll() is None:
        server.stop()
