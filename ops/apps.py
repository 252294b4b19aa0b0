from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_tables(sender, using="default", verbosity=1, **kwargs) -> None:
    """Every `migrate` leaves the database cache table in place (a no-op for other cache backends)."""
    call_command("createcachetable", database=using, verbosity=0)


class OpsConfig(AppConfig):
    """What running the site in production needs around the apps: request ids, JSON logs,
    security headers and the database cache table. No models."""

    name = "ops"

    def ready(self) -> None:
        post_migrate.connect(create_cache_tables, sender=self, dispatch_uid="ops.create_cache_tables")
