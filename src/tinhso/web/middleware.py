"""Vietnamese first: pages are in Vietnamese unless the person chose English with the switch.

A phone set to English must not turn a Vietnamese citizen's portal into English on its own, so for
pages the browser's Accept-Language is ignored and only the language cookie (set by the switch)
counts. API clients keep the standard Accept-Language negotiation."""
from django.conf import settings


class VietnameseFirstMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META["HTTP_ACCEPT_LANGUAGE"] = settings.LANGUAGE_CODE
        return self.get_response(request)


class PageMethodsMiddleware:
    """Pages answer GET, HEAD and POST only: any other method is refused with 405 before a view runs (a view
    written for GET and POST would otherwise treat a PUT or a DELETE as a GET). The HTTP API (/api/) and
    Open311 (/open311/) answer 405 themselves, in their own formats."""

    ALLOWED = ("GET", "HEAD", "POST")
    OWN_METHOD_HANDLING = ("/api/", "/open311/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.ALLOWED and not request.path.startswith(self.OWN_METHOD_HANDLING):
            from django.http import HttpResponseNotAllowed

            return HttpResponseNotAllowed(self.ALLOWED)
        return self.get_response(request)
