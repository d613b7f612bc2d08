"""The project's URLs, plus stand-ins for layout links other domains may not have defined yet
(base.html links to web:calendar_month and web:profile). Used only by the places tests."""
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


_stubs = [path(f"__stub__/{n}/", _stub, name=n) for n in ("calendar_month", "profile") if _missing(n)]

urlpatterns = [p for p in project_urls.urlpatterns if getattr(p, "namespace", None) != "web"] + [
    path("", include((web_urls.urlpatterns + _stubs, "web"))),
]
