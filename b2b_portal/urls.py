from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from orchestration.views.dashboard import DashboardView

admin.site.site_header = "B2B Order Portal"
admin.site.site_title = "B2B Order Portal"

urlpatterns = [
    path("", DashboardView.as_view(), name="home"),
    # Sign in, sign out and the password reset by email (templates/registration/).
    path("accounts/", include("django.contrib.auth.urls")),
    path("orders/", include("orders.urls")),
    path("procurement/", include("procurement.urls")),
    path("receiving/", include("receiving.urls")),
    path("shipping/", include("shipping.urls")),
    path("invoicing/", include("invoicing.urls")),
    path("trace/", include("orchestration.urls")),
    path("processes/", include("processes.urls")),
    path("searches/", include("searches.urls")),
    path("suppliers/", include("suppliers.urls")),
    path("api/", include("api.urls")),
    # Named so that the admin's sign-in page links to the same password reset.
    path(
        "admin/password_reset/",
        auth_views.PasswordResetView.as_view(),
        name="admin_password_reset",
    ),
    path("admin/", admin.site.urls),
]
