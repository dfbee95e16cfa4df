from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.generic import TemplateView

admin.site.site_header = "B2B Order Portal"
admin.site.site_title = "B2B Order Portal"

urlpatterns = [
    path("", login_required(TemplateView.as_view(template_name="home.html")), name="home"),
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
