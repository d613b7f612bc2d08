from django.apps import AppConfig
from django.db.models.signals import post_migrate


class FeedbackConfig(AppConfig):
    name = "tinhso.feedback"
    label = "feedback"
    verbose_name = "Phản ánh hiện trường"

    def ready(self) -> None:
        from . import refcache

        # The triggers that tell every process its cached categories and API keys changed (refcache.py);
        # re-created after every migrate because SQLite drops them when a migration rebuilds a table.
        post_migrate.connect(refcache.install_after_migrate, sender=self, dispatch_uid="feedback-reference-triggers")
