from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tinhso.demo"
    label = "demo"
    verbose_name = "Dữ liệu trình diễn"
