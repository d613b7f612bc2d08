"""The product's URLs plus two bare baseline views, served only by the benchmark server.

- POST /bench/bare-insert      inserts one row (events.DomainEvent) and answers 201 with its id;
- GET  /bench/bare-read/<pk>   reads one dossier row by primary key and answers a tiny JSON;
- GET  /bench/bare-read-report/<pk>   the same for one citizen report (bench/reports_read.py);
- POST /bench/bare-upload      parses a multipart body, stores its files and inserts one row (bench/submission.py:
  what receiving the papers alone costs, whatever a submission does with them).

Both go through the same middleware stack and server settings as the product pages they are compared with.
"""
from django.http import Http404, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from tinhso.dossiers.models import Dossier
from tinhso.events.models import DomainEvent


@csrf_exempt
@require_POST
def bare_insert(request):
    row = DomainEvent.objects.create(name="bench.bare_insert", subject_type="bench", subject_id="1", data={})
    return JsonResponse({"id": row.pk}, status=201)


@require_GET
def bare_read(request, pk: int):
    row = Dossier.objects.filter(pk=pk).values("code", "state", "due_at").first()
    if row is None:
        raise Http404
    return JsonResponse(row)


@require_GET
def bare_read_report(request, pk: int):
    """The floor of bench/reports_read.py: one report row by primary key, a tiny JSON."""
    from tinhso.feedback.models import Report

    row = Report.objects.filter(pk=pk).values("public_id", "state", "created_at").first()
    if row is None:
        raise Http404
    return JsonResponse(row)


@csrf_exempt
@require_POST
def bare_upload(request):
    """The files of a multipart body stored as they come (no check), and one row: the floor of any online
    submission that keeps its papers."""
    from django.core.files.storage import default_storage

    names = [default_storage.save(f"bench/{f.name}", f) for f in request.FILES.values()]
    row = DomainEvent.objects.create(name="bench.bare_upload", subject_type="bench", subject_id="1",
                                     data={"files": names})
    return JsonResponse({"id": row.pk}, status=201)


urlpatterns = [
    path("bench/bare-insert", bare_insert),
    path("bench/bare-upload", bare_upload),
    path("bench/bare-read/<int:pk>", bare_read),
    path("bench/bare-read-report/<int:pk>", bare_read_report),
    path("", include("tinhso.urls")),
]
