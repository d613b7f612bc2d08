from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
def home(request):
    return render(request, "web/home.html")


@require_safe
@never_cache
def healthz(request):
    """Liveness and readiness: the database answers."""
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
        return JsonResponse({"status": "ok", "database": "ok"})
    except Exception as exc:  # the probe must answer, whatever broke
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)


@require_safe
@never_cache
def language(request, code: str):
    """The header's language switch: a plain link (`/ngon-ngu/en/`) that stores the choice in the language
    cookie and goes back to the page it was clicked on (the Referer, same origin only; else the home page).

    A link instead of Django's POST form to /i18n/setlang/ (which stays available): the form needed a CSRF
    token in every page's header, which made the header different for every anonymous visitor (a new token
    and a Set-Cookie on each page of the public portal). Choosing a display language changes nothing else, so a
    GET is enough; a link from another site can at most switch the visitor's language."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    back = request.META.get("HTTP_REFERER", "")
    target = reverse("web:home")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        parts = urlsplit(back)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
                        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                        samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response
