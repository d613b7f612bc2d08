"""The HTTP API: one NinjaAPI, a router per domain, OpenAPI at /api/openapi.json, docs at /api/docs."""
from django.views.decorators.http import require_safe
from ninja import NinjaAPI
from ninja.security import django_auth

from tinhso.api.errors import document_layer_errors, install_error_handlers


class TinhsoAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        # Errors that the layers around the handlers give (bad JSON, schema mismatch, no session, CSRF)
        # are documented on every operation they can reach: see errors.document_layer_errors.
        return document_layer_errors(super().get_openapi_schema(*args, **kwargs))


api = TinhsoAPI(
    title="Tỉnh số API",
    version="1",
    description="API của nền tảng Tỉnh số. Thông báo lỗi bằng tiếng Việt (tiếng Anh khi gửi Accept-Language: en).",
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
    docs_decorator=require_safe,  # the schema and its docs answer GET and HEAD only (405 otherwise)
)
install_error_handlers(api)

from tinhso.api import calendar, catalog, datastore, dossiers, people, places  # noqa: E402  (routers register themselves below)

api.add_router("/v1/places/", places.router)
api.add_router("/v1/calendar/", calendar.router)
api.add_router("/v1/people/", people.router)
api.add_router("/v1/catalog/", catalog.router)
api.add_router("/v1/", dossiers.router)
api.add_router("/v1/datastore/", datastore.router)

from tinhso.api import scoring  # noqa: E402

api.add_router("/v1/scoring/", scoring.router)

from tinhso.api import ioc  # noqa: E402

api.add_router("/v1/ioc/", ioc.router)

__all__ = ["api", "django_auth"]
