from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "tinhso.places"
    label = "places"
    verbose_name = "Đơn vị hành chính và cơ quan"
