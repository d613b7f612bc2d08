"""`tinhso simulate --year 2026 --dossiers N --seed S`: a realistic year of the demo province, in bulk.

What a year of a province's one-stop desks and citizens' reports leaves in the database, consistent
with what the services would have written (see sim_dossiers and sim_reports for the rows), written in
chunks of days, one transaction per chunk, with raw bulk inserts (sim_writer). Reproducible: the same
arguments on the same database write the same rows (one `random.Random(seed)`, ids given explicitly).
For speed (README, "What makes it fast"): a forked process generates the chunks ahead of the writer, and on
SQLite the plain secondary indexes are built once after the load.

The pieces: `sim_calendar` (working time on integer seconds, the working calendar replayed and checked
against it), `sim_volumes` (the shape of a year), `sim_people` (the citizens and officials),
`sim_dossiers`, `sim_reports`, `sim_writer`, `sim_texts`.

At the end, if the scoring app is installed and has `services.rollups_rebuild`, it is called, so that the
rollups match the new rows; simulate itself writes data only. A finished run is recorded as the domain
event `demo.simulated` (subject: the year), which `tinhso demo` uses to simulate only once.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import random
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tinhso.catalog.models import Procedure, StepKind
from tinhso.catalog.text import search_key
from tinhso.datastore.vocabulary import result_kind_for
from tinhso.dossiers.models import DailySequence, Dossier
from tinhso.events.models import DomainEvent
from tinhso.events.services import event_record
from tinhso.feedback.models import Category, CategoryAttribute, ReportSequence, RoutingRule
from tinhso.people.models import OfficialRole, Role
from tinhso.places.models import Agency

from . import sim_dossiers, sim_reports
from .sim_calendar import DAY, Stamps, Timeline, epoch, local_date, local_midnight
from .sim_people import Names, SampleFile, citizen_pool, official_pools
from .sim_volumes import PROCEDURE_WEIGHTS, Moments, day_weights, split_counts, weighted_picker
from .sim_writer import Writer, bulk_session, indexes_deferred, restore_missing_indexes

EVENT_NAME = "demo.simulated"
DEFAULT_SEED = 2026
CHUNK = 10_000            # dossiers per transaction (whole days)
REPORT_CHUNK = 20_000
ONLINE_BAND = (0.60, 0.70)  # the share of channel 2 the simulation aims at (issue 6)
LATE_BAND = (0.02, 0.05)
SUPPLEMENT_BAND = (0.05, 0.10)
MAX_DOSSIERS = 20_000_000

SAMPLE_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
              b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
SAMPLE_JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
SAMPLES = {  # name in the media storage, content
    "pdf": ("simulate/giay-to-mau.pdf", SAMPLE_PDF),
    "jpg": ("simulate/anh-mau.jpg", SAMPLE_JPG),
    "cccd": ("simulate/cccd-mau.pdf", SAMPLE_PDF.replace(b"%%EOF", b"% CCCD mau\n%%EOF")),
    "result": ("simulate/ket-qua-mau.pdf", SAMPLE_PDF.replace(b"%%EOF", b"% ket qua mau\n%%EOF")),
}


class SimulationError(Exception):
    """The simulation cannot run with these arguments or this database (the message says why, in Vietnamese)."""


@dataclass
class SimulationResult:
    year: int
    seed: int
    start: dt.datetime
    end: dt.datetime
    dossiers: int
    reports: int
    seconds: float
    dossier_seconds: float
    rows: dict[str, int]
    stats: dict = field(default_factory=dict)
    rollups: str = ""

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def dossiers_per_second(self) -> float:
        return self.dossiers / self.seconds if self.seconds else 0.0


def already_simulated(year: int) -> bool:
    return DomainEvent.objects.filter(name=EVENT_NAME, subject_type="demo.simulation", subject_id=str(year)).exists()


def _sample(kind: str) -> SampleFile:
    name, content = SAMPLES[kind]
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(content))
    with default_storage.open(name, "rb") as fh:
        data = fh.read()
    return SampleFile(name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest())


def _period(year: int, until: dt.datetime | None) -> tuple[int, int]:
    start = local_midnight(dt.date(year, 1, 1))
    end = local_midnight(dt.date(year + 1, 1, 1))
    limit = epoch(until) if until is not None else epoch(timezone.now())
    if limit <= start + DAY:
        raise SimulationError(_(
            "Năm %(year)s chưa bắt đầu (hoặc mới bắt đầu chưa đầy một ngày) tính đến thời điểm mô phỏng: "
            "hãy chọn năm đã qua hoặc một mốc --until sau ngày 01/01.") % {"year": year})
    return start, min(end, limit)


def _procedures(rng, names, samples) -> list[sim_dossiers.Proc]:
    procs = []
    qs = Procedure.objects.filter(published=True).prefetch_related("steps", "components", "fees", "form_fields")
    with translation.override("vi"):
        for proc in qs.order_by("code"):
            if proc.level != "commune" and proc.agency_id is None:
                continue
            steps = [(i, s.kind, str(StepKind(s.kind).label), s.role, s.share_percent)
                     for i, s in enumerate(proc.steps.all(), start=1)]
            if not steps:
                continue
            comps = []
            for c in proc.components.all():
                sample = samples["pdf"] if "pdf" in c.file_type_list else samples["jpg"]
                comps.append((c.key, c.name, c.mandatory, c.count_original, c.count_certified, c.count_copy, sample))
            shares = {kind: share for _, kind, _, _, share in steps}
            kind = result_kind_for(proc.code)
            p = sim_dossiers.Proc(
                id=proc.pk, code=proc.code, name=proc.name, key=search_key(proc.name), level=proc.level,
                agency_id=proc.agency_id, online=proc.online_level != "khong", kind=proc.time_kind,
                amount=proc.time_amount, fee=sum(f.amount for f in proc.fees.all()), result_name=proc.result_name,
                steps=steps, components=comps,
                phases=(shares.get("assign", 5), shares.get("process", 60), shares.get("approve", 20)),
                doc_type=str(kind.doc_type), valid_months=kind.valid_months,
                items_json=[sim_dossiers.canonical([{"key": c[0], "name": c[1]}]) for c in comps])
            p.form = sim_dossiers.FormBuilder(proc, rng, names)
            procs.append(p)
    return procs


def _rollups_rebuild() -> str:
    """Rebuild the scoring rollups when the scoring app offers it (another engineer's app: optional)."""
    from django.apps import apps

    if not apps.is_installed("tinhso.scoring"):
        return "scoring chưa cài: bỏ qua"
    try:
        from tinhso.scoring import services as scoring
    except ImportError:
        return "scoring chưa có services: bỏ qua"
    rebuild = getattr(scoring, "rollups_rebuild", None)
    if rebuild is None:
        return "scoring chưa có rollups_rebuild: bỏ qua"
    params = inspect.signature(rebuild).parameters
    result = rebuild(**({"actor": None} if "actor" in params else {}))
    return f"rollups_rebuild: {result}"


def simulate(*, year: int, dossiers: int, seed: int = DEFAULT_SEED, until: dt.datetime | None = None,
             reports: int | None = None, append: bool = False, rollups: bool = True,
             progress=None, parallel: bool | None = None) -> SimulationResult:
    """Fill the demo province with a simulated year (see the module's docstring). Raises SimulationError.

    `parallel`: generate the dossiers in a second (forked) process while this one writes them (None: when it
    can help, see `_dossier_chunks`); the rows are the same either way.
    """
    if not 1 <= dossiers <= MAX_DOSSIERS:
        raise SimulationError(_("Số hồ sơ phải từ 1 đến %(max)s.") % {"max": f"{MAX_DOSSIERS:,}".replace(",", ".")})
    if not 2000 <= year <= 2100:
        raise SimulationError(_("Năm mô phỏng phải từ 2000 đến 2100."))
    reports = dossiers // 12 if reports is None else reports
    if reports < 0:
        raise SimulationError(_("Số phản ánh không được âm."))
    if not append and already_simulated(year):
        raise SimulationError(_("Năm %(year)s đã có dữ liệu mô phỏng. Thêm --append nếu muốn ghi thêm một lượt nữa.")
                              % {"year": year})
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    start, end = _period(year, until)
    rng = random.Random(seed)

    # --- the province as it is in the database ----------------------------------------------------------
    communes = {}
    commune_agency = {}
    agencies = {}
    for a in (Agency.objects.filter(province_id=settings.PROVINCE_CODE, active=True)
              .select_related("commune").order_by("code")):
        agencies[a.pk] = (a.code, a.name)
        if a.kind == Agency.Kind.COMMUNE_PC and a.commune_id:
            communes[a.commune_id] = (a.commune.name, a.commune.type)
            commune_agency[a.commune_id] = a.pk
    if not commune_agency:
        raise SimulationError(_("Chưa có các UBND xã, phường của tỉnh trình diễn: hãy chạy “tinhso demo” trước."))
    samples = {k: _sample(k) for k in SAMPLES}
    timeline = Timeline(first_day=local_date(start) - dt.timedelta(days=10),
                        last_day=local_date(end) + dt.timedelta(days=500))
    timeline.self_check(seed=seed)
    # accounts and papers of the pools are dated up to a few years before the period
    stamps = Stamps(first_day=timeline.first_day - dt.timedelta(days=3000), last_day=timeline.last_day,
                    postgres=connection.vendor == "postgresql")
    names = Names(rng)
    procs = _procedures(rng, names, samples)
    procs = [p for p in procs if p.level == "commune" or p.agency_id in agencies]
    if not procs:
        raise SimulationError(_("Chưa có thủ tục nào được công bố: hãy chạy “tinhso demo” trước."))
    categories = {}
    for cat in Category.objects.filter(active=True).order_by("position", "code"):
        attr = (CategoryAttribute.objects.filter(category=cat, datatype=CategoryAttribute.Datatype.SINGLE)
                .order_by("order").first())
        choice = (attr.code, [str(v["key"]) for v in attr.values]) if attr and attr.values else None
        categories[cat.code] = (cat.pk, cat.name, cat.deadline_working_days, choice)
    routes = {(r.category_id, r.commune_id): r.agency_id
              for r in RoutingRule.objects.filter(agency__active=True).order_by("id")}
    if not categories or not routes:
        reports = 0

    commune_codes = sorted(communes)
    commune_weights = [(3.0 if communes[c][1] == "phuong" else 1.0) * (0.6 + 0.8 * rng.random()) for c in commune_codes]
    writer = Writer()
    with bulk_session():
        # --- people -----------------------------------------------------------------------------------------
        before = start - 2 * DAY
        with transaction.atomic():
            pool = citizen_pool(rng=rng, size=max(200, min(60_000, dossiers // 6)),
                                communes=[(c, communes[c][0], communes[c][1], w)
                                          for c, w in zip(commune_codes, commune_weights)],
                                writer=writer, stamps=stamps, before=before, sample=samples["cccd"])
            needs: dict[int, tuple] = {}
            dossier_roles = (Role.RECEIVER, Role.SPECIALIST, Role.LEADER)
            for agency_id in sorted(set(commune_agency.values()) | {p.agency_id for p in procs if p.agency_id}):
                needs[agency_id] = (*agencies[agency_id], "ubnd_xa" if agency_id in commune_agency.values() else "so",
                                    dossier_roles)
            handler_agencies = sorted({a for a in routes.values() if a in agencies}) if reports else []
            for agency_id in handler_agencies:
                if agency_id not in needs:
                    needs[agency_id] = (*agencies[agency_id], "so", (Role.SPECIALIST, Role.LEADER))
            coordinators = list(OfficialRole.objects.filter(role=Role.PROVINCE_ADMIN, official__user__is_active=True)
                                .order_by("official__user_id").values_list("official__user_id", flat=True))
            if reports and not coordinators:
                top = Agency.objects.filter(province_id=settings.PROVINCE_CODE, kind=Agency.Kind.PROVINCE_PC).first()
                if top is not None:
                    roles = needs.get(top.pk, (*agencies[top.pk], "ubnd_tinh", ()))[3]
                    needs[top.pk] = (*agencies[top.pk], "ubnd_tinh", tuple(roles) + (Role.PROVINCE_ADMIN,))
            officials = official_pools(rng=rng, needs={a: (n[0], n[1], n[2], n[3]) for a, n in needs.items()},
                                       writer=writer, stamps=stamps, before=before)
            if reports and not coordinators:
                coordinators = [u for roles in officials.values() for u in roles.get(Role.PROVINCE_ADMIN, [])]
        say(f"Người dân: {len(pool):,} tài khoản; cán bộ: {sum(len(v) for r in officials.values() for v in r.values()):,}"
            .replace(",", "."))

        # --- dossiers, then reports: chunks of whole days, one transaction each ---------------------------------
        t_bulk = time.perf_counter()
        bulk_models = [t.model for t in (*sim_dossiers.tables().values(), *sim_reports.tables().values())]
        restore_missing_indexes(bulk_models)
        # a run that at least doubles the dossiers: plain indexes built once at the end (sim_writer), counted here
        with indexes_deferred(bulk_models, enabled=dossiers >= _largest_id(Dossier)) as deferred:
            story, counts = _dossier_chunks(
                writer, dossiers=dossiers, rng=rng, timeline=timeline, stamps=stamps, start=start, end=end, year=year,
                procs=procs, officials=officials, agencies=agencies, samples=samples, pool=pool,
                commune_codes=commune_codes, commune_weights=commune_weights, commune_agency=commune_agency, say=say,
                parallel=parallel)
            r_story = None
            if reports:
                handler_ids = {a: officials[a].get(Role.SPECIALIST) or officials[a].get(Role.LEADER)
                               for a in handler_agencies}
                r_story = sim_reports.ReportStory(rng=rng, timeline=timeline, stamps=stamps, end=end,
                                                  categories=categories, routes=routes, coordinators=coordinators,
                                                  handlers=handler_ids, agencies=agencies, communes=communes)
                _report_chunks(writer, story=r_story, reports=reports, rng=rng, timeline=timeline, stamps=stamps,
                               start=start, end=end, year=year, pool=pool, communes=communes,
                               commune_codes=commune_codes, commune_weights=commune_weights, categories=categories)
                say(f"  phản ánh: {reports:,}".replace(",", "."))
            t_index = time.perf_counter()
        counts["bulk"].update(indexes_rebuilt=len(deferred), index_seconds=round(time.perf_counter() - t_index, 2))
        if deferred:
            say(f"  chỉ mục dựng lại: {len(deferred)} ({counts['bulk']['index_seconds']:.1f} s)")
        dossier_seconds = time.perf_counter() - t_bulk

        # --- the record of the run ------------------------------------------------------------------------------
        seconds = time.perf_counter() - t0
        stats = dict(story.stats)
        stats.update(channels=counts["channel"], states=dict(sorted(counts["states"].items())),
                     reports=dict(r_story.stats) if r_story else {}, bulk=counts["bulk"])
        with transaction.atomic():
            event_record(actor=None, name=EVENT_NAME, subject_type="demo.simulation", subject_id=str(year),
                         data={"year": year, "seed": seed, "dossiers": dossiers, "reports": reports,
                               "until": dt.datetime.fromtimestamp(end, tz=dt.timezone.utc).isoformat(),
                               "rows": writer.total_rows()})
    rollup_note = _rollups_rebuild() if rollups else "bỏ qua"
    return SimulationResult(year=year, seed=seed, start=dt.datetime.fromtimestamp(start, tz=dt.timezone.utc),
                            end=dt.datetime.fromtimestamp(end, tz=dt.timezone.utc), dossiers=dossiers, reports=reports,
                            seconds=seconds, dossier_seconds=dossier_seconds, rows=dict(writer.rows_written),
                            stats=stats, rollups=rollup_note)


def _largest_id(model) -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(model._meta.db_table)}")
        return cur.fetchone()[0]


def _chunks_of(days: list[tuple[int, int]], size: int) -> list[list[tuple[int, int]]]:
    """Whole days, about `size` items per chunk."""
    chunks, current, n = [], [], 0
    for day, count in days:
        current.append((day, count))
        n += count
        if n >= size:
            chunks.append(current)
            current, n = [], 0
    if current:
        chunks.append(current)
    return chunks


class _Mismatch(Exception):
    """The database is not what a chunk generated ahead assumed (something else wrote meanwhile)."""


class _DossierGenerator:
    """Generates the rows of the dossiers, chunk after chunk, from the one random generator: the same chunks in
    the same order give the same rows whether generated here or in a forked process (`_dossier_chunks`)."""

    ORDER = ("dossier", "step", "handover", "event", "link", "head", "component", "supplement", "payment", "apology",
             "rating", "complaint", "document", "domainevent")
    CHAINED = ("event", "link", "head")  # the rows of the audit chains (`DossierStory.chains`)

    def __init__(self, *, rng, timeline, stamps, start, end, procs, officials, agencies, samples, pool,
                 commune_codes, commune_weights, commune_agency):
        self.rng, self.timeline, self.stamps, self.start, self.end = rng, timeline, stamps, start, end
        self.pool, self.commune_agency, self.agencies = pool, commune_agency, agencies
        self.story = sim_dossiers.DossierStory(rng=rng, timeline=timeline, stamps=stamps, end=end, procs=procs,
                                               officials=officials, agencies=agencies, samples=samples,
                                               vietqr=sim_dossiers.VietQR())
        self.tables = sim_dossiers.tables()
        weights = [PROCEDURE_WEIGHTS.get(p.code, 1) for p in procs]
        self.pick_proc = weighted_picker(rng, procs, weights)
        online = [(p, w) for p, w in zip(procs, weights) if p.online]
        self.pick_online = weighted_picker(rng, [p for p, _w in online], [w for _p, w in online]) if online else None
        self.pick_commune = weighted_picker(rng, commune_codes, commune_weights)
        self.moments = Moments(rng, timeline)

    def skeletons(self, chunk) -> list[list]:
        return _skeletons(chunk, rng=self.rng, timeline=self.timeline, start=self.start, end=self.end,
                          pick_proc=self.pick_proc, pick_online=self.pick_online, pick_commune=self.pick_commune,
                          pool=self.pool, commune_agency=self.commune_agency, moments=self.moments)

    def rows(self, skeletons, ids: dict[str, int]) -> tuple[sim_dossiers.ChunkRows, dict[int, int], dict[int, int]]:
        """The rows of these dossiers (ids from `ids`, moved on), and the chunk's counts by channel and state."""
        out = sim_dossiers.ChunkRows(self.tables)
        channels = {1: 0, 2: 0, 3: 0}
        dossier = self.story.dossier
        for sk in skeletons:
            channels[sk[2]] += 1
            dossier(out, ids, tuple(sk))
        states: dict[int, int] = {}
        for row in out.dossier:
            states[row[7]] = states.get(row[7], 0) + 1
        return out, channels, states

    def prepared(self, writer, out: sim_dossiers.ChunkRows, names=None) -> dict[str, tuple]:
        return {name: writer.prepare(self.tables[name], out.rows[name]) for name in names or self.ORDER}


def _generate_ahead(gen: _DossierGenerator, chunks, ids: dict[str, int], sequences: dict, writer, conn) -> None:
    """In a forked process: generate every chunk ahead of the writer, with the ids and day sequences the
    database will have if nothing else writes meanwhile (the writer checks), and send each chunk's rows as the
    statements' parameters (`Writer.prepare`, pure Python); the audit chains (hashing, a sixth of the generation)
    and their rows' parameters are left to the writer, so that the two processes have about as much to do."""
    gen.story.defer_chain = True
    unchained = [name for name in gen.ORDER if name not in gen.CHAINED]
    try:
        for index, chunk in enumerate(chunks):
            state, stats = gen.rng.getstate(), dict(gen.story.stats)
            skeletons = gen.skeletons(chunk)
            groups = _code_groups(skeletons, end=gen.end, stamps=gen.stamps)
            bases = {key: sequences.get(key, 0) for key in groups}
            upserts = _number(groups, bases, gen.agencies)
            sequences.update({(a, d): last for a, d, last in upserts})
            start_ids = dict(ids)
            out, channels, states = gen.rows(skeletons, ids)
            prepared = gen.prepared(writer, out, unchained)
            conn.send_bytes(_dumps((index, state, stats, start_ids, dict(ids), bases, upserts, prepared, out.chains,
                                    channels, states, len(skeletons))))
            del prepared
            del out
        conn.send_bytes(_dumps(("end", gen.rng.getstate(), dict(gen.story.stats))))
    finally:
        conn.close()


def _dumps(message) -> bytes:
    """marshal (a third faster than pickle on these tuples of str and int), pickle for anything it cannot hold."""
    import marshal
    import pickle

    try:
        return b"m" + marshal.dumps(message)
    except ValueError:
        return b"p" + pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def _loads(data: bytes):
    import marshal
    import pickle

    return marshal.loads(memoryview(data)[1:]) if data[:1] == b"m" else pickle.loads(memoryview(data)[1:])


def _can_fork() -> bool:
    import multiprocessing

    return (connection.vendor == "sqlite" and not connection.in_atomic_block
            and "fork" in multiprocessing.get_all_start_methods())


def _dossier_chunks(writer, *, dossiers, rng, timeline, stamps, start, end, year, procs, officials, agencies,
                    samples, pool, commune_codes, commune_weights, commune_agency, say, parallel=None):
    """Generate and write the dossiers, one transaction per chunk: the ids and the day's sequence numbers are
    read under the chunk's lock, so whatever else is written meanwhile, the chunk continues it.

    With two processes (`parallel`; by default when the run is not inside a transaction and there is more than
    one chunk), a forked process generates the chunks ahead while this one writes them: it assumes the ids and
    sequence numbers continue from what was read at the start and what the writer wrote since, and the writer
    checks that under each chunk's lock; on any difference (someone else wrote meanwhile) the forked process is
    stopped and the rest is generated here, from the random state at the start of that chunk: the same rows as
    without the second process."""
    t0 = time.perf_counter()
    gen = _DossierGenerator(rng=rng, timeline=timeline, stamps=stamps, start=start, end=end, procs=procs,
                            officials=officials, agencies=agencies, samples=samples, pool=pool,
                            commune_codes=commune_codes, commune_weights=commune_weights, commune_agency=commune_agency)
    tables = gen.tables
    counts = {"channel": {1: 0, 2: 0, 3: 0}, "states": {}}
    chunks = _chunks_of(split_counts(dossiers, day_weights(timeline, start, end, year)), CHUNK)
    done = 0

    def tally(channels, states, n):
        nonlocal done
        for k, v in channels.items():
            counts["channel"][k] += v
        for k, v in states.items():
            counts["states"][k] = counts["states"].get(k, 0) + v
        done += n
        say(f"  hồ sơ: {done:,}/{dossiers:,} ({time.perf_counter() - t0:.1f} s)".replace(",", "."))

    def write(ids, upserts, prepared):
        _sequences_write(upserts)
        for name in gen.ORDER:
            writer.write_prepared(tables[name], prepared[name])
        writer.sequences_past({tables[k].name: v for k, v in ids.items()})

    first = 0
    if parallel is None:
        parallel = len(chunks) > 1
    if parallel and _can_fork():
        first = _dossier_chunks_forked(gen, chunks, writer, write, tally)
    counts["bulk"] = {"chunks": len(chunks), "generated_ahead": first}
    for chunk in chunks[first:]:
        with transaction.atomic():
            writer.lock(list(tables.values()) + [DailySequence._meta.db_table])
            next_ids = writer.next_ids(list(tables.values()))
            ids = {k: next_ids[t.name] for k, t in tables.items() if t.has_id}
            skeletons = gen.skeletons(chunk)
            groups = _code_groups(skeletons, end=end, stamps=stamps)
            upserts = _number(groups, _sequences_read(groups), agencies)
            out, channels, states = gen.rows(skeletons, ids)
            write(ids, upserts, gen.prepared(writer, out))
        tally(channels, states, len(skeletons))
    return gen.story, counts


def _dossier_chunks_forked(gen: _DossierGenerator, chunks, writer, write, tally) -> int:
    """Write the chunks a forked process generates (see `_dossier_chunks`); returns the index of the first chunk
    still to generate here (len(chunks) when all went through)."""
    import multiprocessing

    tables = gen.tables
    with connection.cursor() as cur:
        cur.execute(f"SELECT agency_id, day, last FROM {DailySequence._meta.db_table}")
        sequences = {(a, str(d)): last for a, d, last in cur.fetchall()}
    next_ids = writer.next_ids(list(tables.values()))
    ids = {k: next_ids[t.name] for k, t in tables.items() if t.has_id}
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_generate_ahead, args=(gen, chunks, ids, sequences, writer, sender), daemon=True)
    child.start()
    sender.close()
    index = 0
    try:
        while True:
            try:
                message = _loads(receiver.recv_bytes())
            except EOFError:  # it failed (its traceback is on stderr): as an error here would, stop the run
                raise RuntimeError("simulate: the process generating the dossiers stopped before the end") from None
            if message[0] == "end":
                gen.rng.setstate(message[1])
                gen.story.stats = message[2]
                return len(chunks)
            index, state, stats, start_ids, ids_after, bases, upserts, prepared, chains, channels, states, n = message
            try:
                with transaction.atomic():
                    writer.lock(list(tables.values()) + [DailySequence._meta.db_table])
                    now = writer.next_ids(list(tables.values()))
                    if ({k: now[t.name] for k, t in tables.items() if t.has_id} != start_ids
                            or _sequences_read(bases) != bases):
                        raise _Mismatch
                    out = sim_dossiers.ChunkRows(tables)
                    gen.story.chains(out, {"event": start_ids["event"], "link": start_ids["link"]}, chains)
                    prepared.update(gen.prepared(writer, out, gen.CHAINED))
                    write(ids_after, upserts, prepared)
            except _Mismatch:
                gen.rng.setstate(state)
                gen.story.stats = stats
                return index
            tally(channels, states, n)
    finally:
        receiver.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _report_chunks(writer, *, story, reports, rng, timeline, stamps, start, end, year, pool, communes,
                   commune_codes, commune_weights, categories):
    tables = sim_reports.tables()
    cat_codes = sorted(categories)
    pick_category = weighted_picker(rng, cat_codes, [sim_reports.CATEGORY_WEIGHTS.get(c, 2) for c in cat_codes])
    pick_commune = weighted_picker(rng, commune_codes, commune_weights)
    moments = Moments(rng, timeline)
    for chunk in _chunks_of(split_counts(reports, day_weights(timeline, start, end, year)), REPORT_CHUNK):
        with transaction.atomic():
            writer.lock(list(tables.values()) + [ReportSequence._meta.db_table])
            next_ids = writer.next_ids(list(tables.values()))
            ids = {k: next_ids[t.name] for k, t in tables.items()}
            skeletons = []
            for day, n in chunk:
                day_start = timeline.day_start(day)
                lo, hi = max(start, day_start), min(end, day_start + DAY)
                for _i in range(n):
                    t = _moment_within(moments.online_moment, day_start, lo, hi)
                    cit = pool[int(rng.random() * len(pool))]
                    own = rng.random() < 0.8 and cit.commune in communes
                    skeletons.append([t, pick_category(), cit.commune if own else pick_commune(), cit, None])
            skeletons.sort(key=lambda s: s[0])
            _assign_public_ids(skeletons, stamps=stamps)
            out = sim_dossiers.ChunkRows(tables)
            for sk in skeletons:
                story.report(out, ids, tuple(sk))
            for name in ("report", "reportevent", "domainevent"):
                writer.write(tables[name], out.rows[name])
            writer.sequences_past({tables[k].name: v for k, v in ids.items()})


def _moment_within(draw, day_start: int, lo: int, hi: int) -> int:
    for _ in range(64):
        t = draw(day_start)
        if lo <= t < hi:
            return t
    return lo + (hi - lo) // 2


def _skeletons(chunk, *, rng, timeline: Timeline, start, end, pick_proc, pick_online, pick_commune, pool,
               commune_agency, moments: Moments) -> list[list]:
    """The dossiers of these days, in the order they were created: procedure, channel, applicant, agency,
    time of submission, and what happens before reception (refused, withdrawn, received when)."""
    rnd = rng.random
    out = []
    npool = len(pool)
    for day, n in chunk:
        day_start = timeline.day_start(day)
        working = timeline.working[day]
        lo, hi = max(start, day_start), min(end, day_start + DAY)
        for _ in range(n):
            if working or pick_online is None:
                p = pick_proc()
            else:
                p = pick_online()
            if not working and p.online:
                channel = 2
            elif p.online and rnd() < sim_dossiers.P_ONLINE:
                channel = 2
            else:
                channel = 3 if rnd() < sim_dossiers.P_POST else 1
            cit = pool[int(rnd() * npool)]
            if p.level == "commune":
                commune = cit.commune if rnd() < 0.88 and cit.commune in commune_agency else pick_commune()
                agency_id = commune_agency[commune]
            else:
                agency_id = p.agency_id
            if channel == 2:
                t = _moment_within(moments.online_moment, day_start, lo, hi)
                t_rec = timeline.add(t + int(rnd() * 1800), 300 + int(rnd() * 4 * 3600))
                r = rnd()
                fate, t_w = "normal", None
                if r < sim_dossiers.P_REFUSE:
                    fate = "refuse"
                elif r < sim_dossiers.P_REFUSE + sim_dossiers.P_WITHDRAW_EARLY:
                    t_w = t + 600 + int(rnd() * DAY)
                    if t_w < t_rec:
                        fate = "withdraw"
            else:
                if not working:
                    continue
                t = _moment_within(moments.desk_moment, day_start, lo, hi)
                t_rec, fate, t_w = t, "normal", None
            out.append([t, p, channel, cit, agency_id, fate, t_rec, t_w, None])
    out.sort(key=lambda s: s[0])
    return out


def _code_groups(skeletons: list[list], *, end: int, stamps: Stamps) -> dict[tuple[int, str], list[list]]:
    """The dossiers received by `end`, by (agency, day of reception), each group in order of reception."""
    groups: dict[tuple[int, str], list[list]] = {}
    for sk in skeletons:
        if sk[5] == "normal" and sk[6] <= end:
            groups.setdefault((sk[4], stamps.local_date_iso(sk[6])), []).append(sk)
    for members in groups.values():
        members.sort(key=lambda s: s[6])
    return groups


def _sequences_read(keys) -> dict[tuple[int, str], int]:
    """The last number given of each (agency, day) in `keys` (0: none yet)."""
    if not keys:
        return {}
    days = sorted({d for _a, d in keys})
    with connection.cursor() as cur:
        cur.execute(f"SELECT agency_id, day, last FROM {DailySequence._meta.db_table} WHERE day >= %s AND day <= %s",
                    [days[0], days[-1]])
        existing = {(a, str(d)): last for a, d, last in cur.fetchall()}
    return {key: existing.get(key, 0) for key in keys}


def _number(groups: dict[tuple[int, str], list[list]], bases: dict[tuple[int, str], int], agencies) -> list[tuple]:
    """Codes `<agency>-<YYMMDD>-<NNNN>` for the grouped dossiers, continuing each day's numbering after `bases`;
    returns the DailySequence rows (agency, day, last) to write."""
    rows = []
    for key in sorted(groups):
        members = groups[key]
        base = bases.get(key, 0)
        agency_code = agencies[key[0]][0]
        yymmdd = key[1][2:4] + key[1][5:7] + key[1][8:10]
        for j, sk in enumerate(members, start=base + 1):
            sk[8] = f"{agency_code}-{yymmdd}-{j:04d}"
        rows.append((key[0], key[1], base + len(members)))
    return rows


def _sequences_write(rows: list[tuple]) -> None:
    """Move the days' DailySequence on (in the chunk's transaction, under its lock)."""
    if rows:
        with connection.cursor() as cur:
            cur.executemany(f"INSERT INTO {DailySequence._meta.db_table} (agency_id, day, last) VALUES (%s, %s, %s) "
                            f"ON CONFLICT (agency_id, day) DO UPDATE SET last = excluded.last", rows)


def _assign_public_ids(skeletons: list[list], *, stamps: Stamps) -> None:
    """Public ids `PA-YYMM-NNNNNN`, continuing each month's ReportSequence (moved on in this transaction)."""
    groups: dict[str, list[list]] = {}
    for sk in skeletons:
        day = stamps.local_date_iso(sk[0])
        groups.setdefault(day[2:4] + day[5:7], []).append(sk)
    table = ReportSequence._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"SELECT period, last FROM {table} WHERE period IN ({', '.join(['%s'] * len(groups))})",
                    sorted(groups))
        existing = dict(cur.fetchall())
        rows = []
        for period in sorted(groups):
            base = existing.get(period, 0)
            for j, sk in enumerate(groups[period], start=base + 1):
                sk[4] = f"PA-{period}-{j:06d}"
            rows.append((period, base + len(groups[period])))
        cur.executemany(f"INSERT INTO {table} (period, last) VALUES (%s, %s) "
                        f"ON CONFLICT (period) DO UPDATE SET last = excluded.last", rows)
