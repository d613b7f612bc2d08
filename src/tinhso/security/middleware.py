"""Middleware: security headers Django does not set itself, and the rate limits of `ratelimits.py`."""
from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import ratelimits

# Browser features no page of the platform uses are off; the report form may ask for the position.
PERMISSIONS_POLICY = ("accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
                      "fullscreen=(self), geolocation=(self), gyroscope=(), magnetometer=(), microphone=(), "
                      "midi=(), payment=(), publickey-credentials-get=(), usb=()")


class SecurityHeadersMiddleware:
    """Permissions-Policy and Content-Security-Policy on every response (static files included: this runs
    outside WhiteNoise).

    The CSP text is built once, by django-csp's own `build_policy` from settings.CONTENT_SECURITY_POLICY:
    the platform uses no nonces and no per-view policy, and django-csp's middleware rebuilt the same text twice
    per response (about 5 % of the public tracking page's time)."""

    def __init__(self, get_response):
        from csp.utils import build_policy

        self.get_response = get_response
        self.policy = getattr(settings, "PERMISSIONS_POLICY", PERMISSIONS_POLICY)
        self.csp = build_policy() if getattr(settings, "CONTENT_SECURITY_POLICY", None) else ""

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        if self.csp:
            response.headers.setdefault("Content-Security-Policy", self.csp)
        return response


def _message(wait: int) -> str:
    return _("Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn. Hãy chờ %(minutes)s phút rồi thử lại.") % {
        "minutes": ratelimits.minutes(wait)}


def too_many_requests(request, wait: int, view_kwargs: dict) -> HttpResponse:
    """429 in the caller's language and format: Open311 error document, API JSON, or an HTML page."""
    message = _message(wait)
    match = request.resolver_match
    if match is not None and (match.url_name or "").startswith("open311_"):
        from tinhso.api.open311.formats import FORMATS, render_errors

        fmt = str(view_kwargs.get("fmt", "")).lower()
        response = render_errors(fmt if fmt in FORMATS else "xml", 429, [message])
    elif request.path.startswith("/api/"):
        response = HttpResponse(json.dumps({"detail": message, "errors": []}, ensure_ascii=False), status=429,
                                content_type="application/json; charset=utf-8")
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(max(1, int(wait)))
    return response


class RateLimitMiddleware:
    """Counts the POSTs of `ratelimits.RULES` (after CSRF and authentication) and answers 429 over a rate."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        wait = ratelimits.limited(request)
        if wait is None:
            return None
        return too_many_requests(request, wait, view_kwargs)
