from django.urls import path

from . import views

app_name = "orchestration"

urlpatterns = [
    path("lines/<int:pk>/", views.PegTraceView.as_view(), name="peg_trace"),
    path("lines/<int:pk>/cancel/", views.LineCancelView.as_view(), name="line_cancel"),
    path(
        "lines/<int:pk>/change-quantity/",
        views.LineQuantityView.as_view(),
        name="line_change_quantity",
    ),
    path("orders/<int:pk>/cancel/", views.OrderCancelView.as_view(), name="order_cancel"),
    path(
        "po-lines/<int:pk>/close-short/",
        views.CloseShortView.as_view(),
        name="po_line_close_short",
    ),
    path("exceptions/", views.ExceptionsView.as_view(), name="exceptions"),
    path("exceptions/resolve/", views.ExceptionResolveView.as_view(), name="exception_resolve"),
]
