"""A bench-only app (see bench_settings.py, BENCH_NO_REPORT_HOOKS=1): forgets the hooks that other domains
registered on report changes, so that a run shows what creating a report costs without them."""
from django.apps import AppConfig


class NoReportHooks(AppConfig):
    name = "bench_nohooks"
    label = "bench_nohooks"

    def ready(self) -> None:
        from tinhso.feedback import hooks

        hooks._after_change.clear()
