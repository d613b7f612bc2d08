"""The installable app: the web app manifest and the service worker, served from `/phan-anh/` so that
the worker's scope covers the report pages (a worker's scope is the path it is served from)."""
from __future__ import annotations

from pathlib import Path

from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

STATIC = Path(__file__).resolve().parent.parent / "static" / "tinhso" / "feedback"


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    response = HttpResponse((STATIC / "sw.js").read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/phan-anh/"
    return response


@require_GET
@cache_control(max_age=3600)
def manifest(request):
    return HttpResponse((STATIC / "manifest.webmanifest").read_bytes(), content_type="application/manifest+json")
