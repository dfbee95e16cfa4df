"""What stops one execution of a run without failing it."""


class RunStopped(Exception):
    """The run was cancelled, retried or finished elsewhere: this worker leaves it as it is
    (the chunk in flight rolls back)."""
