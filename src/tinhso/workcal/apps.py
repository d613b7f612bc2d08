from django.apps import AppConfig


class WorkcalConfig(AppConfig):
    name = "tinhso.workcal"
    label = "workcal"
    verbose_name = "Lịch làm việc"
