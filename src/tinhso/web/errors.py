"""Error pages the platform answers itself, in Vietnamese (English when chosen)."""
from django.shortcuts import render


def csrf_failure(request, reason: str = ""):
    """settings.CSRF_FAILURE_VIEW: a form sent without a valid CSRF token (403). The reason stays in the log."""
    return render(request, "403_csrf.html", status=403)
