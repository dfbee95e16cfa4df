"""What the processes tests share."""

from b2b_portal.web import new_submission_token


def schedule_post(**data) -> dict:
    """A Schedule New Process post as the page sends it: once, batch 500, the once-only token,
    and the process whose parameters the page showed (``parameters_for``)."""
    data.setdefault("repeat", "once")
    data.setdefault("batch_size", 500)
    if "process" in data:
        data.setdefault("parameters_for", data["process"])
    data.setdefault("submission_token", new_submission_token())
    return data
