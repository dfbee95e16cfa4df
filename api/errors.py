"""Refusals as the API answers them: the service's message in ``detail``.

``PermissionRefused`` (the role does not allow the action) is 403; every other
``ApplicationError`` a service raises is 409: the request was well formed (the serializers
answer 400 for malformed input) but the business rules refuse it in the document's present
state (an order with nothing to book, an inactive item, a unit the user does not work in).
"""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from b2b_portal.errors import ApplicationError, PermissionRefused


def api_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        code = (
            status.HTTP_403_FORBIDDEN
            if isinstance(exc, PermissionRefused)
            else status.HTTP_409_CONFLICT
        )
        return Response({"detail": exc.message}, status=code)
    return exception_handler(exc, context)
