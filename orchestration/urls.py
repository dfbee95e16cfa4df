from django.urls import path

from .views import changes, exceptions, trace

app_name = "orchestration"

urlpatterns = [
    path("lines/<int:pk>/", trace.PegTraceView.as_view(), name="peg_trace"),
    path("lines/<int:pk>/cancel/", changes.LineCancelView.as_view(), name="line_cancel"),
    path(
        "lines/<int:pk>/change-quantity/",
        changes.LineQuantityView.as_view(),
        name="line_change_quantity",
    ),
    path("lines/<int:pk>/re-promise/", changes.LineRepromiseView.as_view(), name="line_repromise"),
    path("orders/<int:pk>/cancel/", changes.OrderCancelView.as_view(), name="order_cancel"),
    path(
        "po-lines/<int:pk>/close-short/",
        changes.CloseShortView.as_view(),
        name="po_line_close_short",
    ),
    path("exceptions/", exceptions.ExceptionsView.as_view(), name="exceptions"),
    path(
        "exceptions/resolve/",
        exceptions.ExceptionResolveView.as_view(),
        name="exception_resolve",
    ),
]
