"""The project's URLs, plus stand-ins for the layout's links that other domains have not defined yet
(base.html links to web:commune_list and web:calendar_month). Used only by these tests."""
from django.http import HttpResponse
from django.urls import NoReverseMatch, include, path, reverse

from tinhso import urls as project_urls
from tinhso.web import urls as web_urls


def _missing(name):
    try:
        reverse(f"web:{name}", urlconf=project_urls)
        return False
    except NoReverseMatch:
        return True


def _stub(request):
    return HttpResponse("")


_stubs = [path(f"__stub__/{n}/", _stub, name=n) for n in ("commune_list", "calendar_month") if _missing(n)]

urlpatterns = [p for p in project_urls.urlpatterns if getattr(p, "namespace", None) != "web"] + [
    path("", include((web_urls.urlpatterns + _stubs, "web"))),
]
