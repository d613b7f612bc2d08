from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "tinhso.ops"
    label = "ops"
    verbose_name = "Vận hành: sao lưu và khôi phục"
