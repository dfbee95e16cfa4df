from django.urls import path

from . import views

app_name = "searches"
urlpatterns = [
    path("", views.SavedSearchSaveView.as_view(), name="save"),
    path("<int:pk>/delete/", views.SavedSearchDeleteView.as_view(), name="delete"),
]
