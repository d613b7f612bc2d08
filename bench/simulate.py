"""How fast `tinhso simulate` writes a year: dossiers/s and rows/s, against a raw-insert baseline.

    .venv/bin/python bench/simulate.py                    # SQLite, 200,000 dossiers of 2025
    .venv/bin/python bench/simulate.py --n 1000000
    .venv/bin/python bench/simulate.py --pg               # PostgreSQL (its own database, see below)
    .venv/bin/python bench/simulate.py --reuse            # keep the migrated database, simulate again (--append)
    .venv/bin/python bench/simulate.py --floors           # SQLite: generation, storage, index rebuild, each alone

A fresh database (migrated, `tinhso demo --simulate 0`: the demo province without its own simulated
year) in `/tmp/tinhso-bench/simulate/` or, with `--pg`, PostgreSQL `tinhso_bench_simulate`
(override with BENCH_VAR_DIR / BENCH_DATABASE_URL). Then, in this process, on the same connection and
with the same bulk settings:

1. baseline: a raw `executemany` (SQLite) or COPY (PostgreSQL) of N minimal rows (id, integer, short text)
   into one scratch table, in chunks of the simulation's size, one transaction per chunk;
2. `simulate(year=2025, dossiers=N, seed=2026, rollups=False)`: every row of the year (dossiers, steps,
   hand-overs, events, audit links and heads, components, requests, ratings, data-store results, reports,
   domain events, the people pools), with what makes it fast (src/tinhso/demo/README.md): a forked process
   generating the chunks ahead of the writer, the plain secondary indexes built once at the end (counted:
   `index_seconds` in the line), `generated_ahead` of `chunks` by the second process;
3. the scoring rollups' rebuild, timed apart (it is not simulate's own writing);
4. `--verify`: `tinhso audit verify` on the result (slow at this size: off by default).

Prints one JSON line per figure (with the baseline and the ratio) and saves them to
bench/results/simulate.jsonl (`simulate_pg.jsonl`). The bar (issue 6): simulate writes ≥ 20,000
dossiers/s into SQLite. The ratio `dossiers_per_s / baseline_rows_per_s` says how far a dossier (~30 rows
with hashes) is from one bare row on the same machine at the same moment: on a loaded, shared machine
absolute figures move a lot, the ratio much less.

`--floors` (SQLite, its own database `simulate_floors/`): what these exact rows cost apart (`floors`): the Python
time to generate every chunk (no database write), the time to store the same rows alone in each of STORE_MODES
(simulate's bulk settings, then more pragmas up to SQLite's limit), the index rebuild alone, rows and bytes per
dossier by table, and the resulting ceiling of any writer of these rows; saved to bench/results/simulate_floors.jsonl.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

BAR = 20_000
PG_URL = "postgres://postgres@127.0.0.1:5432/tinhso_bench_simulate"


def fresh(var_dir: Path, database_url: str | None) -> None:
    import shutil

    if var_dir.exists():
        shutil.rmtree(var_dir)
    var_dir.mkdir(parents=True)
    if database_url:
        import psycopg
        from urllib.parse import urlparse

        name = urlparse(database_url).path.lstrip("/")
        admin = database_url[: database_url.rfind("/")] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    env = common.bench_env(var_dir, database_url)
    tinhso = str(common.VENV_BIN / "tinhso")
    subprocess.run([tinhso, "migrate", "-v0"], env=env, check=True, cwd=common.REPO, timeout=900)
    subprocess.run([tinhso, "demo", "--simulate", "0"], env=env, check=True, cwd=common.REPO, timeout=900,
                   stdout=subprocess.DEVNULL)


def baseline(n: int, chunk: int) -> float:
    """Seconds to write n minimal rows into one scratch table, chunk by chunk (same bulk settings)."""
    from django.db import connection, transaction

    from tinhso.demo.sim_writer import bulk_session

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_simulate_baseline")
        key = "BIGINT PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY"
        cur.execute(f"CREATE TABLE bench_simulate_baseline (id {key}, a INTEGER NOT NULL, b VARCHAR(20) NOT NULL)")
    connection.ensure_connection()
    raw = connection.connection.cursor()
    pg = connection.vendor == "postgresql"
    started = time.perf_counter()
    with bulk_session():
        for lo in range(0, n, chunk):
            rows = [(i, i % 1000, "x") for i in range(lo + 1, min(n, lo + chunk) + 1)]
            with transaction.atomic():
                if pg:
                    with raw.copy("COPY bench_simulate_baseline (id, a, b) FROM STDIN") as cp:
                        for r in rows:
                            cp.write_row(r)
                else:
                    raw.executemany("INSERT INTO bench_simulate_baseline (id, a, b) VALUES (?, ?, ?)", rows)
    seconds = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_simulate_baseline")
    return seconds


# --- --floors: what generating and storing these exact rows costs, apart (issue 6) ---------------------------

class _Captured(Exception):
    """Raised by the capturing `_dossier_chunks` once every chunk's rows are on disk: simulate stops there."""


def _dbstat() -> dict[str, tuple[int, int]]:
    """{table or index name: (bytes on disk, payload bytes)} from SQLite's dbstat."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT name, SUM(pgsize), SUM(payload) FROM dbstat GROUP BY name")
        return {name: (size, payload) for name, size, payload in cur.fetchall()}


def _generate_to_disk(n: int, year: int, spool: Path) -> dict:
    """Run simulate's set-up (people pools written), then generate every dossier chunk in this process without
    writing it: the rows the two-process run writes (ids and day numbers continuing from the database), their
    statement parameters marshalled to spool/chunk-<i>; returns the timings and the rows by table."""
    from django.db import connection

    from tinhso.demo import simulate as sim
    from tinhso.demo.sim_volumes import day_weights, split_counts

    info: dict = {}

    def capture(writer, *, dossiers, rng, timeline, stamps, start, end, year, procs, officials, agencies, samples,
                pool, commune_codes, commune_weights, commune_agency, say, parallel=None):
        gen = sim._DossierGenerator(rng=rng, timeline=timeline, stamps=stamps, start=start, end=end, procs=procs,
                                    officials=officials, agencies=agencies, samples=samples, pool=pool,
                                    commune_codes=commune_codes, commune_weights=commune_weights,
                                    commune_agency=commune_agency)
        tables = gen.tables
        chunks = sim._chunks_of(split_counts(dossiers, day_weights(timeline, start, end, year)), sim.CHUNK)
        with connection.cursor() as cur:
            cur.execute(f"SELECT agency_id, day, last FROM {sim.DailySequence._meta.db_table}")
            sequences = {(a, str(d)): last for a, d, last in cur.fetchall()}
        next_ids = writer.next_ids(list(tables.values()))
        ids = {k: next_ids[t.name] for k, t in tables.items() if t.has_id}
        gen.story.defer_chain = True   # as the forked generator: the chains apart, to time them apart
        cpu = {"skeletons": 0.0, "rows": 0.0, "prepare_unchained": 0.0, "chains": 0.0, "prepare_chained": 0.0}
        unchained = [name for name in gen.ORDER if name not in gen.CHAINED]
        wall = 0.0
        rows = {name: 0 for name in gen.ORDER}
        value_bytes = {name: 0 for name in gen.ORDER}
        for index, chunk in enumerate(chunks):
            w0 = time.perf_counter()
            c0 = time.process_time()
            skeletons = gen.skeletons(chunk)
            groups = sim._code_groups(skeletons, end=gen.end, stamps=gen.stamps)
            bases = {key: sequences.get(key, 0) for key in groups}
            upserts = sim._number(groups, bases, gen.agencies)
            sequences.update({(a, d): last for a, d, last in upserts})
            start_ids = dict(ids)
            c1 = time.process_time()
            out, _channels, _states = gen.rows(skeletons, ids)
            c2 = time.process_time()
            prepared = gen.prepared(writer, out, unchained)
            c3 = time.process_time()
            gen.story.chains(out, {"event": start_ids["event"], "link": start_ids["link"]}, out.chains)
            c4 = time.process_time()
            prepared.update(gen.prepared(writer, out, gen.CHAINED))
            c5 = time.process_time()
            wall += time.perf_counter() - w0
            cpu["skeletons"] += c1 - c0
            cpu["rows"] += c2 - c1
            cpu["prepare_unchained"] += c3 - c2
            cpu["chains"] += c4 - c3
            cpu["prepare_chained"] += c5 - c4
            for name in gen.ORDER:
                rs = out.rows[name]
                rows[name] += len(rs)
                value_bytes[name] += sum(len(v) if isinstance(v, (str, bytes)) else 8
                                         for r in rs for v in r if v is not None)
            (spool / f"chunk-{index}").write_bytes(sim._dumps((upserts, prepared)))
            del out, prepared
        info.update(chunks=len(chunks), cpu=cpu, wall=wall, rows=rows, value_bytes=value_bytes)
        raise _Captured

    real = sim._dossier_chunks
    sim._dossier_chunks = capture
    try:
        sim.simulate(year=year, dossiers=n, seed=sim.DEFAULT_SEED, rollups=False)
    except _Captured:
        pass
    finally:
        sim._dossier_chunks = real
    return info


LIMIT_PRAGMAS = {"journal_mode": "OFF", "synchronous": "OFF", "locking_mode": "EXCLUSIVE", "cache_size": "-4000000",
                 "temp_store": "MEMORY", "foreign_keys": "OFF"}
FAST_READS = {"mmap_size": str(2 << 30)}
STORE_MODES = {  # --floor-modes: pragmas set on top of simulate's own bulk settings (sim_writer.bulk_session)
    "writer": {"mmap_size": "0"},                         # simulate's settings before 30/11 (WAL, synchronous=OFF...)
    "writer_mmap": FAST_READS,                            # + reads through a memory map (simulate's since 30/11)
    "writer_cache": {"mmap_size": "0", "cache_size": "-2000000"},  # + a 2 GB page cache, no memory map
    "memory_journal": {**FAST_READS, "journal_mode": "MEMORY"},  # rollback journal in memory instead of the WAL
    "limit": {"mmap_size": "0", **LIMIT_PRAGMAS},         # journal off, exclusive lock, 4 GB cache
    "limit_mmap": {**LIMIT_PRAGMAS, **FAST_READS},
}


def _store(spool: Path, chunks: int, mode: str, stat: bool) -> dict:
    """Write the spooled chunks into the database (a copy of the template: migrated, demo, people pools), the plain
    secondary indexes dropped, one transaction per chunk; then build the indexes again. `writer`: simulate's own
    bulk settings (sim_writer.bulk_session, the database's WAL) and, on top, the mode's pragmas (STORE_MODES)."""
    from django.db import connection, transaction

    from tinhso.demo import sim_dossiers, sim_reports, simulate as sim
    from tinhso.demo.sim_writer import Writer, bulk_session, plain_indexes

    tables = sim_dossiers.tables()
    models = [t.model for t in (*tables.values(), *sim_reports.tables().values())]
    order = sim._DossierGenerator.ORDER
    before = _dbstat() if stat else {}
    writer = Writer()
    store_s = 0.0
    with bulk_session():
        with connection.cursor() as cur:
            for name, value in STORE_MODES[mode].items():
                cur.execute(f"PRAGMA {name}={value}")
            cur.execute("PRAGMA journal_mode")
            journal = cur.fetchone()[0]
        dropped = plain_indexes(models)
        with transaction.atomic(), connection.cursor() as cur:
            for name, _sql in dropped:
                cur.execute(f'DROP INDEX "{name}"')
        for index in range(chunks):
            upserts, prepared = sim._loads((spool / f"chunk-{index}").read_bytes())
            t = time.perf_counter()
            with transaction.atomic():
                sim._sequences_write(upserts)
                for name in order:
                    writer.write_prepared(tables[name], prepared[name])
            store_s += time.perf_counter() - t
            del prepared
        if journal == "wal":
            with connection.cursor() as cur:   # what the last commits left in the WAL, as the run's end would
                t = time.perf_counter()
                cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                store_s += time.perf_counter() - t
        loaded = _dbstat() if stat else {}
        t = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            for _name, sql in dropped:
                cur.execute(sql)
        index_s = time.perf_counter() - t
        if journal == "wal":
            with connection.cursor() as cur:
                t = time.perf_counter()
                cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                index_s += time.perf_counter() - t
    after = _dbstat() if stat else {}
    return {"journal": journal, "store_s": store_s, "index_s": index_s, "indexes": len(dropped),
            "rows": writer.rows_written, "before": before, "loaded": loaded, "after": after}


def floors(args) -> None:
    """--floors: generation alone, storage alone (simulate's settings, then SQLite's limit), the index rebuild alone,
    rows and bytes per dossier by table; and what any writer of these rows could reach here."""
    import shutil

    var_dir = Path(os.environ.get("BENCH_VAR_DIR", "/tmp/tinhso-bench")) / "simulate_floors"
    t = time.perf_counter()
    fresh(var_dir, None)
    print(f"# fresh database migrated, demo loaded in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    common.use_env_here(var_dir, None)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    db_path = Path(settings.DATABASES["default"]["NAME"])
    spool = var_dir / "spool"
    spool.mkdir()
    results = common.Results("simulate_floors")
    n = args.n
    load0 = os.getloadavg()[0]
    info = _generate_to_disk(n, args.year, spool)
    cpu = info["cpu"]
    gen_cpu = sum(cpu.values())
    total_rows = sum(info["rows"].values())
    results.emit(benchmark="simulate_floor_generation", db="sqlite", dossiers=n, rows=total_rows,
                 chunks=info["chunks"], wall_seconds=round(info["wall"], 2), cpu_seconds=round(gen_cpu, 2),
                 dossiers_per_s=round(n / gen_cpu), us_per_dossier=round(gen_cpu / n * 1e6, 1),
                 cpu_us_per_dossier={k: round(v / n * 1e6, 1) for k, v in cpu.items()},
                 forked_part_us_per_dossier=round((cpu["skeletons"] + cpu["rows"] + cpu["prepare_unchained"]) / n * 1e6,
                                                  1),
                 writer_side_us_per_dossier=round((cpu["chains"] + cpu["prepare_chained"]) / n * 1e6, 1),
                 what="Python only, one process: skeletons+numbering, rows (chains deferred), their statement "
                      "parameters, audit chains, their parameters; no database write (forked part: what the "
                      "generating process does in a two-process run; writer side: what is left to the writer)",
                 load_average=[round(load0, 2), round(os.getloadavg()[0], 2)])
    connection.close()
    template = var_dir / "template.sqlite3"
    shutil.copyfile(db_path, template)
    best = {}
    modes = args.floor_modes.split(",")
    for mode in modes:
        connection.close()
        for suffix in ("-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        shutil.copyfile(template, db_path)
        load0 = os.getloadavg()[0]
        first = not best
        r = _store(spool, info["chunks"], mode, stat=first)
        stored = sum(r["rows"].values())
        results.emit(benchmark="simulate_floor_storage", db="sqlite", mode=mode, journal_mode=r["journal"],
                     dossiers=n, rows=stored, seconds=round(r["store_s"], 2), dossiers_per_s=round(n / r["store_s"]),
                     rows_per_s=round(stored / r["store_s"]), us_per_dossier=round(r["store_s"] / n * 1e6, 1),
                     what="executemany of the spooled rows, plain indexes dropped, one transaction per chunk"
                          + (" (WAL checkpoint at the end counted)" if r["journal"] == "wal" else ""),
                     pragmas=STORE_MODES[mode],
                     load_average=[round(load0, 2), round(os.getloadavg()[0], 2)])
        results.emit(benchmark="simulate_floor_index_rebuild", db="sqlite", mode=mode, indexes=r["indexes"],
                     seconds=round(r["index_s"], 2), dossiers_per_s=round(n / r["index_s"]),
                     load_average=round(os.getloadavg()[0], 2))
        best[mode] = (r["store_s"], r["index_s"])
        if first:
            from tinhso.demo import sim_dossiers

            by_table = {}
            names = {t.name: key for key, t in sim_dossiers.tables().items()}
            with connection.cursor() as cur:
                cur.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'")
                owner = dict(cur.fetchall())
            for table, key in names.items():
                def grown(stat, name):
                    return stat.get(name, (0, 0))[0] - r["before"].get(name, (0, 0))[0]
                table_bytes = grown(r["loaded"], table)
                index_bytes = sum(grown(r["after"], ix) for ix, tb in owner.items() if tb == table)
                by_table[key] = {"rows_per_dossier": round(info["rows"][key] / n, 3),
                                 "table_bytes_per_dossier": round(table_bytes / n, 1),
                                 "index_bytes_per_dossier": round(index_bytes / n, 1),
                                 "value_bytes_per_dossier": round(info["value_bytes"][key] / n, 1)}
            results.emit(benchmark="simulate_floor_rows", db="sqlite", dossiers=n,
                         rows_per_dossier=round(total_rows / n, 2),
                         table_bytes_per_dossier=round(sum(v["table_bytes_per_dossier"] for v in by_table.values())),
                         index_bytes_per_dossier=round(sum(v["index_bytes_per_dossier"] for v in by_table.values())),
                         by_table=dict(sorted(by_table.items(), key=lambda kv: -kv[1]["table_bytes_per_dossier"])),
                         what="rows from the generator; bytes from dbstat (B-tree pages grown by the load: the table, "
                              "then its indexes after the rebuild); value bytes: str/bytes lengths + 8 per number")
    store_s, index_s = min(best.values(), key=lambda v: v[0] + v[1])
    ceiling = n / (store_s + index_s)
    results.emit(benchmark="simulate_floor_ceiling", db="sqlite", dossiers=n,
                 best_mode=min(best, key=lambda m: sum(best[m])), store_seconds=round(store_s, 2),
                 index_seconds=round(index_s, 2), dossiers_per_s=round(ceiling),
                 generation_cpu_us_per_dossier=round(gen_cpu / n * 1e6, 1), bar_dossiers_per_s=BAR,
                 reachable=ceiling >= BAR,
                 what="storage floor + index rebuild, generation fully overlapped: the most any writer of these "
                      "rows reaches on this machine (reports not included)")
    results.save()
    shutil.rmtree(spool, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="do not re-create the database")
    ap.add_argument("--verify", action="store_true", help="run `tinhso audit verify` on the result")
    ap.add_argument("--floors", action="store_true",
                    help="SQLite: generation alone, storage alone, index rebuild alone, rows and bytes per dossier")
    ap.add_argument("--floor-modes", default="writer,writer_mmap,writer_cache,memory_journal,limit,limit_mmap",
                    help="storage modes of --floors, comma-separated (STORE_MODES)")
    args = ap.parse_args()
    if args.floors:
        floors(args)
        return
    url = (os.environ.get("BENCH_DATABASE_URL") or PG_URL) if args.pg else None
    var_dir = Path(os.environ.get("BENCH_VAR_DIR", "/tmp/tinhso-bench")) / ("simulate_pg" if url else "simulate")
    if not args.reuse or not var_dir.exists():
        t = time.perf_counter()
        fresh(var_dir, url)
        print(f"# fresh database migrated, demo loaded in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    common.use_env_here(var_dir, url)
    import django

    django.setup()
    from tinhso.demo import simulate as sim

    db = common.db_label(url)
    results = common.Results("simulate" + ("_pg" if url else ""))
    base_s = baseline(args.n, sim.CHUNK)
    base_rate = args.n / base_s
    results.emit(benchmark="simulate_baseline", db=db, rows=args.n, seconds=round(base_s, 2),
                 rows_per_s=round(base_rate), what="raw executemany/COPY of minimal rows into one table")
    result = sim.simulate(year=args.year, dossiers=args.n, seed=sim.DEFAULT_SEED, append=args.reuse, rollups=False,
                          progress=lambda msg: print("#", msg, file=sys.stderr, flush=True))
    rate = result.dossiers / result.seconds
    rows_rate = result.total_rows / result.seconds
    results.emit(benchmark="simulate", db=db, dossiers=result.dossiers, reports=result.reports,
                 rows=result.total_rows, seconds=round(result.seconds, 2),
                 dossier_phase_seconds=round(result.dossier_seconds, 2), dossiers_per_s=round(rate),
                 rows_per_s=round(rows_rate), baseline_rows_per_s=round(base_rate),
                 ratio_dossiers_to_baseline_rows=round(rate / base_rate, 4),
                 ratio_rows_to_baseline_rows=round(rows_rate / base_rate, 3),
                 bar_dossiers_per_s=BAR if db == "sqlite" else None, met=(rate >= BAR) if db == "sqlite" else None,
                 **result.stats.get("bulk", {}), load_average=round(os.getloadavg()[0], 2))
    t = time.perf_counter()
    note = sim._rollups_rebuild()
    results.emit(benchmark="simulate_rollups_rebuild", db=db, dossiers=result.dossiers,
                 seconds=round(time.perf_counter() - t, 2), note=note[:200])
    if args.verify:
        from tinhso.audit.verification import chain_verify

        t = time.perf_counter()
        report = chain_verify()
        results.emit(benchmark="simulate_audit_verify", db=db, ok=report.ok, links=report.links,
                     seconds=round(time.perf_counter() - t, 2))
    results.save()


if __name__ == "__main__":
    main()
