from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CatalogConfig(AppConfig):
    name = "tinhso.catalog"
    label = "catalog"
    verbose_name = "Thủ tục hành chính"

    def ready(self):
        from . import models
        from .selectors import procedure_cache_clear

        # Any change to a procedure or its parts forgets the procedures cached in this process.
        for model in (models.Procedure, models.Fee, models.Component, models.FormField, models.Step, models.Field):
            post_save.connect(procedure_cache_clear, sender=model, dispatch_uid=f"catalog-cache-{model.__name__}-save")
            post_delete.connect(procedure_cache_clear, sender=model, dispatch_uid=f"catalog-cache-{model.__name__}-delete")
