from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save, pre_delete, pre_save


class AuditConfig(AppConfig):
    name = "tinhso.audit"
    label = "audit"
    verbose_name = "Kiểm toán chống sửa đổi"

    def ready(self) -> None:
        from . import signals, triggers
        from .registry import register

        # The chained records: one line each. Field lists are part of the hashes: see registry.py.
        register("dossiers.DossierEvent", prefix="dossier", stream_field="dossier_id",
                 fields=("dossier_id", "actor_id", "at", "action", "from_state", "to_state", "step", "note",
                         "attachments", "data"))
        register("datastore.DataAccessLog", prefix="citizen", stream_field="citizen_id",
                 fields=("citizen_id", "official_id", "agency_id", "dossier_id", "dossier_code", "document_id",
                         "what", "at", "allowed", "reason"))

        from .registry import chained

        for entry in chained():
            model = entry.model
            post_save.connect(signals.chain_on_create, sender=model, dispatch_uid=f"audit-chain-{entry.label}")
            pre_save.connect(signals.refuse_update, sender=model, dispatch_uid=f"audit-noupdate-{entry.label}")
            pre_delete.connect(signals.refuse_delete, sender=model, dispatch_uid=f"audit-nodelete-{entry.label}")
            triggers.protect_table(model._meta.db_table)
        triggers.protect_table("audit_chainlink")
        triggers.protect_table("audit_chainhead", update=False)
        post_migrate.connect(triggers.install_after_migrate, sender=self, dispatch_uid="audit-triggers")
