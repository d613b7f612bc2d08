from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "tinhso.scoring"
    label = "scoring"
    verbose_name = "Chỉ số 766, đánh giá cán bộ, xếp hạng"

    def ready(self) -> None:
        # Keep the rollups in the transaction of every dossier and report change (hooks, not signals:
        # the domains call them explicitly, and never import scoring).
        from tinhso.dossiers.hooks import on_dossier_changed
        from tinhso.feedback.hooks import on_report_changed

        from .services import dossier_rollup_sync, report_rollup_sync

        on_dossier_changed(dossier_rollup_sync)
        on_report_changed(report_rollup_sync)
