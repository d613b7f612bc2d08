"""The orphan-upload sweep over 100,000 files and as many rows: dry run, real run, second run (must do nothing).

    .venv/bin/python bench/media_orphans.py                 # SQLite, 100,000 files
    .venv/bin/python bench/media_orphans.py --pg            # PostgreSQL tinhso_bench_media_orphans (its own)
    .venv/bin/python bench/media_orphans.py --files 20000   # smaller, for a quick look
    .venv/bin/python bench/media_orphans.py --reuse         # keep the seeded dossiers (files and rows are rebuilt)

Seeded: N dossiers (seed.py), then N files under MEDIA_ROOT: 90 % named by DossierComponent rows (plus 10 %
as many paper-only rows with no file), 9 % results named by Dossier.result_file, 1 % orphans; every file
older than the grace period. Figures: `media_orphans_sweep(dry_run=True)` with the file columns' indexes
and without them (dropped for that run, then re-created: the migration's cost), the real sweep (quarantines
the orphans, one event each), a second run (must move nothing). Baselines measured in the same run: listing
the tree with lstat (the floor of any exact sweep) and one SELECT of every file name the rows hold (what
`tinhso backup` reads).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import seed  # noqa: E402

PG_URL = "postgres://postgres@127.0.0.1:5432/tinhso_bench_media_orphans"
YEAR = "2024"  # the bench's files live under dossiers/2024/ and results/2024/ (rebuilt on every run)


def build(n_files: int, media_root: Path, quarantine: Path) -> dict:
    from django.db import connection, transaction

    from tinhso.dossiers.models import Dossier, DossierComponent

    t0 = time.perf_counter()
    for sub in (f"dossiers/{YEAR}", f"results/{YEAR}"):
        shutil.rmtree(media_root / sub, ignore_errors=True)
    shutil.rmtree(quarantine, ignore_errors=True)
    DossierComponent.objects.filter(key="bench").delete()
    Dossier.objects.filter(result_file__startswith=f"results/{YEAR}/").update(result_file="")

    n_comp, n_result = n_files * 90 // 100, n_files * 9 // 100
    n_orphan = n_files - n_comp - n_result
    dossier_ids = list(Dossier.objects.order_by("id").values_list("id", flat=True))
    body = b"%PDF-1.4\n" + b"x" * 200 + b"\n%%EOF\n"

    def write(prefix: str, count: int) -> list[str]:
        names = []
        for i in range(count):
            name = f"{prefix}/{YEAR}/{i % 12 + 1:02d}/{uuid.uuid4().hex}.pdf"
            path = media_root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            names.append(name)
        return names

    comp_names, result_names, orphan_names = write("dossiers", n_comp), write("results", n_result), write("dossiers", n_orphan)
    rows = [DossierComponent(dossier_id=dossier_ids[i % len(dossier_ids)], key="bench", name="Tờ khai",
                             file=name, size=len(body)) for i, name in enumerate(comp_names)]
    rows += [DossierComponent(dossier_id=dossier_ids[i % len(dossier_ids)], key="bench", name="Bản giấy")
             for i in range(n_files // 10)]  # counted at the desk: no file
    with transaction.atomic():
        DossierComponent.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cur:
            cur.executemany(f"UPDATE {Dossier._meta.db_table} SET result_file = %s WHERE id = %s",
                            [(name, dossier_ids[i % len(dossier_ids)]) for i, name in enumerate(result_names)])
    if connection.vendor == "postgresql":  # as autovacuum would soon after such a load: the planner's statistics
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {DossierComponent._meta.db_table}, {Dossier._meta.db_table}")
    return {"files": n_files, "component_rows_with_file": n_comp, "component_rows_without_file": n_files // 10,
            "result_files": n_result, "orphans_made": n_orphan, "build_seconds": round(time.perf_counter() - t0, 1),
            "orphans": set(orphan_names)}


def drop_indexes() -> list:
    from django.apps import apps
    from django.db import connection

    dropped = []
    with connection.schema_editor() as editor:
        for model in apps.get_models():
            for index in model._meta.indexes:
                if index.name in {"component_file", "dossier_result_file", "storeddoc_file", "reportphoto_file"}:
                    editor.remove_index(model, index)
                    dropped.append((model, index))
    return dropped


def create_indexes(dropped: list) -> None:
    from django.db import connection

    with connection.schema_editor() as editor:
        for model, index in dropped:
            editor.add_index(model, index)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--files", type=int, default=100_000)
    args = ap.parse_args()
    url = (os.environ.get("BENCH_DATABASE_URL") or PG_URL) if args.pg else None
    var_dir = common.DEFAULT_VAR / ("media-orphans-pg" if url else "media-orphans")
    info = seed.prepare(n=args.files, var_dir=var_dir, database_url=url, fresh=not args.reuse, batch=50000)

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from tinhso.dossiers.models import Dossier, DossierComponent
    from tinhso.events.models import DomainEvent
    from tinhso.ops import services
    from tinhso.ops.database import file_columns, quote

    media_root, quarantine = Path(settings.MEDIA_ROOT), Path(settings.ORPHAN_QUARANTINE_DIR)
    made = build(args.files, media_root, quarantine)
    orphans = made.pop("orphans")
    now = timezone.now() + timedelta(days=2)  # every file is past the 24-hour grace period
    db = common.db_label(url)
    rows = {"dossiers": Dossier.objects.count(), "components": DossierComponent.objects.count()}
    results = common.Results("media_orphans" + ("_pg" if url else ""))

    t0 = time.perf_counter()
    listed = sum(1 for _ in services._walk(media_root))
    walk_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    names = 0
    with connection.cursor() as cur:
        for table, column in file_columns():
            cur.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''")
            names += len(cur.fetchall())
    select_s = time.perf_counter() - t0
    results.emit(benchmark="media_orphans", db=db, figure="baselines", files_listed=listed,
                 walk_lstat_seconds=round(walk_s, 3), names_in_rows=names, select_all_names_seconds=round(select_s, 3),
                 rows=rows, seed={k: v for k, v in info.items() if k in ("n", "seconds")}, **made)

    dry = services.media_orphans_sweep(dry_run=True, now=now)
    found = {f.path for f in dry.files if f.action == services.QUARANTINE}
    results.emit(benchmark="media_orphans", db=db, figure="dry_run_indexed", seconds=round(dry.seconds, 3),
                 scanned=dry.scanned, old=dry.old, orphans_found=len(found), bench_orphans_all_found=orphans <= found,
                 ratio_to_walk=common.ratio(dry.seconds, walk_s))

    dropped = drop_indexes()
    try:
        slow = services.media_orphans_sweep(dry_run=True, now=now)
        results.emit(benchmark="media_orphans", db=db, figure="dry_run_without_file_indexes",
                     seconds=round(slow.seconds, 3), orphans_found=slow.count(services.QUARANTINE),
                     slower_than_indexed=common.ratio(slow.seconds, dry.seconds))
    finally:
        t0 = time.perf_counter()
        create_indexes(dropped)
        results.emit(benchmark="media_orphans", db=db, figure="create_file_indexes",
                     indexes=len(dropped), seconds=round(time.perf_counter() - t0, 3), rows=rows)

    events_before = DomainEvent.objects.filter(name=services.EVENT_QUARANTINED).count()
    held: list[float] = []  # how long each batch shuts out the writers of the file tables
    original = services._quarantine_batch

    def timed(batch, **kwargs):
        t = time.perf_counter()
        original(batch, **kwargs)
        held.append(time.perf_counter() - t)

    services._quarantine_batch = timed
    try:
        run1 = services.media_orphans_sweep(now=now)
    finally:
        services._quarantine_batch = original
    results.emit(benchmark="media_orphans", db=db, figure="run_1", seconds=round(run1.seconds, 3),
                 scanned=run1.scanned, quarantined=run1.count(services.QUARANTINE),
                 events=DomainEvent.objects.filter(name=services.EVENT_QUARANTINED).count() - events_before,
                 postponed=run1.postponed, ratio_to_walk=common.ratio(run1.seconds, walk_s),
                 locked_batches=len(held), files_per_batch=services.LOCK_BATCH,
                 writers_shut_out_ms_max=round(max(held, default=0) * 1000, 1),
                 writers_shut_out_ms_mean=round(sum(held) / len(held) * 1000, 1) if held else 0)
    run2 = services.media_orphans_sweep(now=now)
    results.emit(benchmark="media_orphans", db=db, figure="run_2", seconds=round(run2.seconds, 3),
                 scanned=run2.scanned, moved_or_deleted=len(run2.files), idempotent=not run2.files)
    results.save()


if __name__ == "__main__":
    main()
