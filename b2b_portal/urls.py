from django.contrib import admin
from django.urls import include, path

from orchestration.views.dashboard import DashboardView

admin.site.site_header = "B2B Order Portal"
admin.site.site_title = "B2B Order Portal"

urlpatterns = [
    path("", DashboardView.as_view(), name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("orders/", include("orders.urls")),
    path("procurement/", include("procurement.urls")),
    path("receiving/", include("receiving.urls")),
    path("shipping/", include("shipping.urls")),
    path("invoicing/", include("invoicing.urls")),
    path("trace/", include("orchestration.urls")),
    path("processes/", include("processes.urls")),
    path("admin/", admin.site.urls),
]
