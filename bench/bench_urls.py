"""The product's URLs plus two bare baseline views, served only by the benchmark server.

- POST /bench/bare-insert      inserts one row (events.DomainEvent) and answers 201 with its id;
- GET  /bench/bare-read/<pk>   reads one dossier row by primary key and answers a tiny JSON;
- GET  /bench/bare-read-report/<pk>   the same for one citizen report (bench/reports_read.py);
- POST /bench/bare-upload      parses a multipart body, stores its files and inserts one row (bench/submission.py:
  what receiving the papers alone costs, whatever a submission does with them);
- POST /bench/bare-dossier-rows   writes the rows an online submission writes, copied, in one transaction
  (bench/submission.py: what storing them alone costs).

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


_ROWS: dict = {}


def _template_rows():
    """The rows the last online submission wrote, as the database holds them: copied by bare_dossier_rows."""
    from django.db import connection

    if _ROWS.get("vendor") == connection.vendor:
        return _ROWS
    q = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM dossiers_dossier WHERE channel = 2 AND state = 1")
        did = cur.fetchone()[0]
        out = {"vendor": connection.vendor}
        for table, where in (("dossiers_dossier", "id = %s"), ("dossiers_dossiercomponent", "dossier_id = %s"),
                             ("dossiers_dossierevent", "dossier_id = %s")):
            cur.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY id", [did])
            cols = [c[0] for c in cur.description]
            out[table] = (cols, [list(r) for r in cur.fetchall()])
        cur.execute("SELECT * FROM audit_chainlink WHERE stream = %s", [f"dossier:{did}"])
        out["audit_chainlink"] = ([c[0] for c in cur.description], [list(r) for r in cur.fetchall()])
    for table, value in list(out.items()):
        if table == "vendor":
            continue
        cols, rows = value
        keep = [i for i, c in enumerate(cols) if c != "id"]
        sql = (f"INSERT INTO {q(table)} ({', '.join(q(cols[i]) for i in keep)}) VALUES ({', '.join(['%s'] * len(keep))})"
               + (" RETURNING id" if table in ("dossiers_dossier", "dossiers_dossierevent") else ""))
        out[table] = (sql, [cols[i] for i in keep], [[r[i] for i in keep] for r in rows])
    _ROWS.update(out)
    return _ROWS


@csrf_exempt
@require_POST
def bare_dossier_rows(request):
    """The storage floor of an online submission: the rows one writes (the dossier, its two papers, its event, the
    event's audit link and its stream's head), copied from the last submission's rows as the database holds them,
    by statements built once, in one transaction; no check, no hash computed, no model instance."""
    from django.db import connection, transaction

    t = _template_rows()
    with transaction.atomic(), connection.cursor() as cur:
        sql, cols, rows = t["dossiers_dossier"]
        row = list(rows[0])
        row[cols.index("code")] = None
        cur.execute(sql, row)
        did = cur.fetchone()[0]
        sql, cols, rows = t["dossiers_dossiercomponent"]
        for r in rows:
            r = list(r)
            r[cols.index("dossier_id")] = did
            cur.execute(sql, r)
        sql, cols, rows = t["dossiers_dossierevent"]
        r = list(rows[0])
        r[cols.index("dossier_id")] = did
        cur.execute(sql, r)
        eid = cur.fetchone()[0]
        stream = f"dossier:{did}"
        cur.execute("INSERT INTO audit_chainhead (stream, seq, link_hash, updated_at) VALUES (%s, 0, '', %s) "
                    "ON CONFLICT (stream) DO UPDATE SET updated_at = excluded.updated_at RETURNING seq, link_hash",
                    [stream, r[cols.index("at")]])
        cur.fetchone()
        sql, cols, rows = t["audit_chainlink"]
        link = list(rows[0])
        link[cols.index("stream")], link[cols.index("record_id")] = stream, eid
        cur.execute(sql, link)
        cur.execute("UPDATE audit_chainhead SET seq = 1, link_hash = %s WHERE stream = %s",
                    [link[cols.index("link_hash")], stream])
    return JsonResponse({"id": did}, status=201)


urlpatterns = [
    path("bench/bare-dossier-rows", bare_dossier_rows),
    path("bench/bare-insert", bare_insert),
    path("bench/bare-upload", bare_upload),
    path("bench/bare-read/<int:pk>", bare_read),
    path("bench/bare-read-report/<int:pk>", bare_read_report),
    path("", include("tinhso.urls")),
]
