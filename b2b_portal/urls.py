from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "B2B Order Portal"
admin.site.site_title = "B2B Order Portal"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
]
