"""The HTTP API: one NinjaAPI, a router per domain, OpenAPI at /api/openapi.json, docs at /api/docs."""
from ninja import NinjaAPI
from ninja.security import django_auth

from tinhso.api.errors import install_error_handlers

api = NinjaAPI(
    title="Tỉnh số API",
    version="1",
    description="API của nền tảng Tỉnh số. Thông báo lỗi bằng tiếng Việt (tiếng Anh khi gửi Accept-Language: en).",
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)
install_error_handlers(api)

from tinhso.api import calendar, catalog, datastore, dossiers, people, places  # noqa: E402  (routers register themselves below)

api.add_router("/v1/places/", places.router)
api.add_router("/v1/calendar/", calendar.router)
api.add_router("/v1/people/", people.router)
api.add_router("/v1/catalog/", catalog.router)
api.add_router("/v1/", dossiers.router)
api.add_router("/v1/datastore/", datastore.router)

__all__ = ["api", "django_auth"]
