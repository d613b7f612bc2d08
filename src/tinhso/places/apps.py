from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "tinhso.places"
    label = "places"
    verbose_name = "Đơn vị hành chính và cơ quan"

    def ready(self) -> None:
        # Web processes only (gunicorn, runserver): not management commands, migrations or tests.
        from .address import address_index_warm_in_background

        address_index_warm_in_background()
