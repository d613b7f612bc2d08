"""Settings of the benchmark server: the product's settings with the bench URLconf (bare baseline views).

Used only by bench/ (DJANGO_SETTINGS_MODULE=bench_settings, PYTHONPATH=bench). Never imported by the product."""
from tinhso.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench_urls"
