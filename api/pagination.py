from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (at most 200): lists are paged as the pages are."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
