from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"

    def ready(self):
        # Who may do what is kept in the cache; a change to it, made anywhere, drops it.
        from b2b_portal.permission_cache import connect_signals

        connect_signals()
