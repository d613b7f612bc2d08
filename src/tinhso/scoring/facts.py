"""What one dossier or one report counts in: the single computation behind both the incremental
rollups (services.dossier_rollup_sync, in the transaction of each change) and the rebuild
(services.rollups_rebuild), so that the two cannot disagree.

Definitions (DOMAIN.md §2, §4, §8; README.md lists the interpretations):
- a dossier counts from its reception (`received_at`); submitted-but-not-received, refused and
  withdrawn-before-reception dossiers have no fact;
- the day of a dossier is its reception day in Asia/Ho_Chi_Minh, the day of a report its creation day;
- late: finished after the due time, or more than one supplement request (DOMAIN.md §8);
- processing time: working time from reception to finish, minus the working time spent paused
  (supplement requested → supplied, payment requested → paid);
- a report is handled on time when answered by its due time, or declined within 2 working days.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q

from tinhso.catalog.models import Procedure
from tinhso.dossiers.models import Complaint, DossierComponent, PaymentRequest, Rating, SupplementRequest
from tinhso.dossiers.states import OPEN_STATES, PAUSED_STATES, Channel, State
from tinhso.feedback.models import Report
from tinhso.workcal import selectors as workcal

from .models import DOSSIER_COUNTERS, REPORT_COUNTERS

VN = ZoneInfo("Asia/Ho_Chi_Minh")

DOSSIER_FIELDS = ("id", "agency_id", "procedure_id", "channel", "state", "received_at", "due_at", "finished_at",
                  "supplement_count", "fee_amount", "paid_at", "result_file")
DOSSIER_KEYS = ("dossier_id", "agency_id", "procedure_id", "channel", "state", "received_day", "finished_day",
                "due_at")

REPORT_FIELDS = ("id", "created_at", "category_id", "commune_id", "agency_id", "state", "due_at", "answered_at",
                 "closed_at", "rating", "reopened_count")
REPORT_KEYS = ("report_id", "day", "category_id", "commune_code", "agency_id", "state", "due_at")

REPORT_OPEN_STATES = (Report.State.NEW, Report.State.ACCEPTED, Report.State.ASSIGNED, Report.State.IN_PROGRESS)
REPORT_ANSWERED_STATES = (Report.State.ANSWERED, Report.State.CLOSED)
REJECTION_WORKING_DAYS = 2  # 766 indicator 5.2: a declined report is handled on time within 2 working days


def local_day(at: datetime) -> date:
    return at.astimezone(VN).date()


@dataclass
class DossierExtras:
    """What a fact needs beyond the dossier row: its components, rating, complaints, pauses."""

    components: int = 0
    without_file: int = 0
    reused_any: bool = False
    from_store: bool = False
    rating: str | None = None
    complained: bool = False
    pauses: list = field(default_factory=list)


def dossier_extras(where: Q, *, finished_ids: set[int]) -> dict[int, DossierExtras]:
    """Extras of the dossiers selected by `where` (a Q on `dossier_id`), in five queries."""
    out: dict[int, DossierExtras] = defaultdict(DossierExtras)
    for row in (DossierComponent.objects.filter(where).values("dossier_id")
                .annotate(n=Count("id"), without_file=Count("id", filter=Q(file="")),
                          reused=Count("id", filter=~Q(reuse_source="")),
                          store=Count("id", filter=Q(reuse_source="datastore")))):
        x = out[row["dossier_id"]]
        x.components, x.without_file = row["n"], row["without_file"]
        x.reused_any, x.from_store = row["reused"] > 0, row["store"] > 0
    for dossier_id, level in Rating.objects.filter(where).values_list("dossier_id", "level"):
        out[dossier_id].rating = level
    for dossier_id in Complaint.objects.filter(where).values_list("dossier_id", flat=True).distinct():
        out[dossier_id].complained = True
    if finished_ids:
        for dossier_id, start, end in SupplementRequest.objects.filter(where).values_list(
                "dossier_id", "requested_at", "answered_at"):
            if dossier_id in finished_ids:
                out[dossier_id].pauses.append((start, end))
        for dossier_id, start, end in PaymentRequest.objects.filter(where).values_list(
                "dossier_id", "requested_at", "paid_at"):
            if dossier_id in finished_ids:
                out[dossier_id].pauses.append((start, end))
    return out


def paper_result_procedures() -> set[int]:
    return set(Procedure.objects.filter(result_paper=True).values_list("id", flat=True))


class WorkingClock:
    """Working time as a running total: `at(t)` is the working microseconds from a base day to `t`, so the
    working time between two instants is a subtraction (a rebuild needs it for every finished dossier:
    WorkCalendar.working_time_between walks the days each time). Gives exactly what
    `WorkCalendar.working_time_between` gives (tests/scoring/test_facts.py checks it)."""

    def __init__(self, cal):
        self.cal = cal
        self.periods = cal.periods
        self.capacity = cal.day_capacity_us
        self._cum: dict[int, int] = {}  # date ordinal -> working µs of the days [base, that day)
        self._lo = self._hi = None

    def _before(self, day: date) -> int:
        o = day.toordinal()
        found = self._cum.get(o)
        if found is not None:
            return found
        if self._lo is None:
            self._lo = self._hi = o
            self._cum[o] = 0
            return 0
        working = self.cal.is_working_day
        while self._hi < o:
            self._cum[self._hi + 1] = self._cum[self._hi] + (self.capacity if working(date.fromordinal(self._hi)) else 0)
            self._hi += 1
        while self._lo > o:
            self._cum[self._lo - 1] = self._cum[self._lo] - (self.capacity if working(date.fromordinal(self._lo - 1)) else 0)
            self._lo -= 1
        return self._cum[o]

    def at(self, t: datetime) -> int:
        local = t.astimezone(VN)
        day = local.date()
        us = ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000 + local.microsecond
        total = self._before(day)
        if self.cal.is_working_day(day):
            for a, b in self.periods:
                if us > a:
                    total += min(us, b) - a
        return total

    def between(self, start: datetime, end: datetime) -> timedelta:
        return timedelta(microseconds=self.at(end) - self.at(start))


def processing_seconds(received_at: datetime, finished_at: datetime, pauses, clock: WorkingClock) -> int:
    """Working seconds from reception to finish, minus the working time spent paused before the finish."""
    total = clock.between(received_at, finished_at)
    for start, end in pauses:
        if start is None or start >= finished_at:
            continue
        end = min(end or finished_at, finished_at)
        if end > start:
            total -= clock.between(start, end)
    return max(0, int(total.total_seconds()))


def dossier_fact(row: dict, x: DossierExtras, *, paper: set[int], clock: WorkingClock) -> dict | None:
    """The fact of a dossier row (values of DOSSIER_FIELDS), or None if it was never received."""
    if row["received_at"] is None:
        return None
    state = row["state"]
    finished = row["finished_at"] is not None and state in (State.FINISHED, State.RETURNED)
    cancelled = state in (State.WITHDRAWN, State.STOPPED)
    late_by_supplements = row["supplement_count"] > 1
    e_result = bool(row["result_file"])
    result_paper = row["procedure_id"] in paper
    on_time = finished and row["due_at"] is not None and row["finished_at"] <= row["due_at"] and not late_by_supplements
    is_open = state in OPEN_STATES
    fee_bearing = (row["fee_amount"] or 0) > 0
    counted = not cancelled
    c = {
        "received": 1,
        "online": row["channel"] == Channel.ONLINE,
        "online_e": row["channel"] == Channel.ONLINE and (not result_paper or e_result),
        "cancelled": cancelled,
        "counted": counted,
        "finished": finished,
        "done_on_time": on_time,
        "done_late": finished and not on_time,
        "open": is_open,
        "paused": state in PAUSED_STATES,
        "open_late_supp": is_open and late_by_supplements,
        "fee_bearing": fee_bearing,
        "paid_online": fee_bearing and row["paid_at"] is not None,
        "finished_paper": finished and result_paper,
        "finished_paper_e": finished and result_paper and e_result,
        "finished_files_e": finished and x.components > 0 and x.without_file == 0 and e_result,
        "reused_any": x.reused_any,
        "from_store": x.from_store,
        "rated": x.rating is not None,
        "rated_satisfied": x.rating == Rating.Level.SATISFIED,
        "rated_acceptable": x.rating == Rating.Level.ACCEPTABLE,
        "rated_unsatisfied": x.rating == Rating.Level.UNSATISFIED,
        "complained": x.complained,
        "complained_or_disliked": counted and (x.complained or x.rating == Rating.Level.UNSATISFIED),
        "with_supplement": row["supplement_count"] > 0,
        "supplements": row["supplement_count"],
        "processed": finished,
        "processing_seconds": (processing_seconds(row["received_at"], row["finished_at"], x.pauses, clock)
                               if finished else 0),
    }
    fact = {
        "dossier_id": row["id"], "agency_id": row["agency_id"], "procedure_id": row["procedure_id"],
        "channel": row["channel"], "state": state, "received_day": local_day(row["received_at"]),
        "finished_day": local_day(row["finished_at"]) if finished else None, "due_at": row["due_at"],
    }
    fact.update({k: int(c[k]) for k in DOSSIER_COUNTERS})
    return fact


def report_fact(row: dict, *, cal) -> dict:
    """The fact of a report row (values of REPORT_FIELDS)."""
    state = row["state"]
    answered = state in REPORT_ANSWERED_STATES and row["answered_at"] is not None
    answered_on_time = answered and (row["due_at"] is None or row["answered_at"] <= row["due_at"])
    rejected = state == Report.State.REJECTED
    rejected_on_time = False
    if rejected:
        limit = workcal.TimeLimit(kind="working_days", amount=REJECTION_WORKING_DAYS)
        rejected_on_time = (row["closed_at"] is not None
                            and row["closed_at"] <= cal.due(row["created_at"], limit).due_at)
    unsatisfied = row["rating"] == Report.Rating.UNSATISFIED
    c = {
        "received": 1,
        "open": state in REPORT_OPEN_STATES,
        "answered_on_time": answered_on_time,
        "answered_late": answered and not answered_on_time,
        "rejected_on_time": rejected and rejected_on_time,
        "rejected_late": rejected and not rejected_on_time,
        "rated": bool(row["rating"]),
        "satisfied": row["rating"] == Report.Rating.SATISFIED,
        "unsatisfied": unsatisfied,
        "reopened": row["reopened_count"] > 0,
        "bad_fixed": (unsatisfied or row["reopened_count"] > 0 or (answered and not answered_on_time)
                      or (rejected and not rejected_on_time)),
    }
    fact = {"report_id": row["id"], "day": local_day(row["created_at"]), "category_id": row["category_id"],
            "commune_code": row["commune_id"] or "", "agency_id": row["agency_id"] or 0, "state": state,
            "due_at": row["due_at"]}
    fact.update({k: int(c[k]) for k in REPORT_COUNTERS})
    return fact


def paper_result_procedures_of(ids) -> set[int]:
    return set(Procedure.objects.filter(pk__in=list(ids), result_paper=True).values_list("id", flat=True))
