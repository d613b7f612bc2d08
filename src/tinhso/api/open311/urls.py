"""Open311 GeoReport v2, included at /open311/ (discovery at /open311/discovery.{json,xml}).

The format is the path's extension; an unsupported one is answered with a 400 error document in XML."""
from django.urls import re_path

from . import views

FMT = r"\.(?P<fmt>[A-Za-z0-9]+)$"
ID = r"(?P<{}>[^/]+?)"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="open311_discovery"),
    re_path(r"^v2/services" + FMT, views.services, name="open311_services"),
    re_path(r"^v2/services/" + ID.format("code") + FMT, views.service_definition, name="open311_service"),
    re_path(r"^v2/requests" + FMT, views.requests_, name="open311_requests"),
    re_path(r"^v2/requests/" + ID.format("public_id") + FMT, views.request_one, name="open311_request"),
    re_path(r"^v2/tokens/" + ID.format("token_id") + FMT, views.token, name="open311_token"),
    re_path(r"^v2/servicerequestupdates" + FMT, views.request_updates, name="open311_updates"),
]
