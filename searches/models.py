"""Saved searches: a user's named filter sets for a list page."""

from django.conf import settings
from django.db import models
from django.urls import reverse


class SavedSearch(models.Model):
    """A search of one list page (its filters and sort, as the page's address holds them)
    that one user named to apply again; nobody else sees it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    # The list page's URL name, e.g. "procurement:po_list".
    list_name = models.CharField(max_length=100)
    name = models.CharField(max_length=80)
    # The page's query string without the page number: "supplier=3&status=OPEN&sort=-total".
    query = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "list_name", "name"], name="saved_search_name_unique_per_list"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        url = reverse(self.list_name)
        return f"{url}?{self.query}" if self.query else url
