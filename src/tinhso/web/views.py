from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
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
