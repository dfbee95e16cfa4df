"""The page a locked-out sign-in gets (django-axes calls ``lockout_response``).

The same page for every username, existing or not, so that it tells nothing about who has
an account; it says how long the lock lasts and that an administrator can lift it.
"""

from django.conf import settings
from django.shortcuts import render

LOCKED_OUT = (
    "Too many failed sign-ins with this username: it is locked for {minutes} minutes. "
    "Try again later, or ask an administrator to unlock it."
)


def locked_out_message() -> str:
    return LOCKED_OUT.format(minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_response(request, original_response=None, credentials=None):
    """429 with the portal's lockout page, for the portal's and the admin's sign-in."""
    return render(
        request,
        "registration/locked_out.html",
        {"message": locked_out_message()},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
