"""Simulated citizens' field reports (feedback), written as `tinhso.feedback.services` would have.

Each report: created by a citizen of the pool (web), accepted by the province's coordinator (its due
time fixed from the moment it was received, the category's working days) and routed to the agency of
the routing table, or rejected with a reason; the agency starts and answers it, on time or late; the
reporter rates the answer (a rating other than "unsatisfied" closes it) or closes it. Every step writes
its `ReportEvent` (public where the public may see it) and its `DomainEvent`, with the notes the services
write. The warnings the sweep would have given before the answer (`warned_due_soon`, `warned_late`,
at the sweep's 5-minute ticks) are written as the sweep writes them; a report still open at `now` is left
to the sweep."""
from __future__ import annotations

import json

from tinhso.events.models import DomainEvent
from tinhso.feedback.models import Report, ReportEvent

from . import sim_texts as texts
from .sim_calendar import DAY, Stamps, Timeline
from .sim_people import EVENT_COLUMNS
from .sim_writer import Table

CATEGORY_WEIGHTS = {"giao-thong": 22.7, "moi-truong": 11, "rac-thai": 14, "trat-tu-do-thi": 12, "dien-chieu-sang": 9,
                    "cap-thoat-nuoc": 8, "an-toan-thuc-pham": 4, "y-te": 4, "giao-duc": 4, "dat-dai-xay-dung": 6,
                    "hanh-chinh-cong": 2.3, "an-ninh-trat-tu": 3}
P_REJECT = 0.04
P_URGENT = 0.02
P_LATE_ANSWER = 0.09
P_RATE = 0.6
P_CLOSE_WITHOUT_RATING = 0.15
RATING_ON_TIME = (("satisfied", 0.72), ("acceptable", 0.18), ("unsatisfied", 0.10))
RATING_LATE = (("satisfied", 0.4), ("acceptable", 0.3), ("unsatisfied", 0.3))
RATING_LABELS = {"satisfied": "Hài lòng", "acceptable": "Chấp nhận được", "unsatisfied": "Không hài lòng"}
REJECT_LABELS = {"out_of_remit": "Không thuộc phạm vi tiếp nhận", "not_enough": "Không đủ thông tin"}
PUBLIC_ACTIONS = frozenset({"accepted", "rejected", "assigned", "in_progress", "answered", "closed", "reopened"})
TICK = 300  # the report sweep runs every 5 minutes
HORIZON = 8 * 3600

REPORT_COLUMNS = [
    "id", "public_id", "category_id", "description", "attributes", "lat", "long", "address", "commune_id", "urgency",
    "state", "reporter_id", "reporter_name", "reporter_email", "reporter_phone", "device_id", "account_id", "via",
    "media_url", "api_key_id", "agency_id", "dossier_id", "reject_reason", "reject_note", "duplicate_of_id", "answer",
    "due_at", "accepted_at", "answered_at", "closed_at", "rating", "rating_comment", "reopened_count",
    "warned_due_soon", "warned_late", "created_at", "updated_at"]
REPORT_EVENT_COLUMNS = ["id", "report_id", "actor_id", "at", "action", "from_state", "to_state", "note", "public"]


def tables() -> dict[str, Table]:
    return {"report": Table(Report, REPORT_COLUMNS), "reportevent": Table(ReportEvent, REPORT_EVENT_COLUMNS),
            "domainevent": Table(DomainEvent, EVENT_COLUMNS)}


class ReportStory:
    def __init__(self, *, rng, timeline: Timeline, stamps: Stamps, end: int, categories: dict[str, tuple],
                 routes: dict, coordinators: list[int], handlers: dict[int, list[int]],
                 agencies: dict[int, tuple[str, str]], communes: dict[str, tuple[str, str]]):
        self.rng, self.tl, self.st, self.end = rng, timeline, stamps, end
        self.categories = categories      # code -> (id, name, deadline working days, attribute choices)
        self.routes = routes              # (category id, commune code or None) -> agency id
        self.coordinators, self.handlers, self.agencies, self.communes = coordinators, handlers, agencies, communes
        self.stats = {"rejected": 0, "answered": 0, "answered_late": 0, "rated": 0, "open": 0}

    def _tick_after(self, t: int) -> int:
        return -(-t // TICK) * TICK

    def report(self, out, ids: dict[str, int], sk: tuple) -> None:
        (t0, cat_code, commune, cit, public_id) = sk
        rng, tl, st, end = self.rng, self.tl, self.st, self.end
        rnd = rng.random
        db = st.db
        rid = ids["report"]
        ids["report"] = rid + 1
        cat_id, _cat_name, deadline, attr = self.categories[cat_code]
        coord = rng.choice(self.coordinators)
        events = []

        def event(at, actor, action, from_state, to_state, note, extra=None):
            events.append((at, actor, action, from_state, to_state, note, extra))

        description = rng.choice(texts.REPORT_TEXTS.get(cat_code) or texts.REPORT_TEXTS["giao-thong"])
        attributes = "{}"
        if attr:
            code, keys = attr
            attributes = json.dumps({code: rng.choice(keys)})
        urgency = "urgent" if rnd() < P_URGENT else "normal"
        commune_name, commune_type = self.communes[commune]
        if commune_type == "phuong":
            address = f"Đường {rng.choice(texts.STREETS)}, tổ {rng.randrange(1, 40)}, {commune_name}"
        else:
            address = f"{'Thôn' if rnd() < 0.5 else 'Xóm'} {rng.choice(texts.HAMLETS)}, {commune_name}"
        state = "new"
        agency_id = None
        due = accepted_at = answered_at = closed_at = None
        answer = reject_reason = reject_note = rating = rating_comment = ""
        w_ds = w_late = False
        t_last = t0
        event(t0, cit.id, "created", "", "new", "Phản ánh được gửi (web).", {"urgency": urgency})
        while True:
            t_acc = tl.add(t0, 1800 + int(rnd() * 6 * 3600))
            if t_acc > end:
                break
            if rnd() < P_REJECT:
                reject_reason = "out_of_remit" if rnd() < 0.5 else "not_enough"
                reject_note = texts.REJECT_NOTES[reject_reason]
                event(t_acc, coord, "rejected", "new", "rejected", f"{REJECT_LABELS[reject_reason]}: {reject_note}")
                state, closed_at, t_last = "rejected", t_acc, t_acc
                self.stats["rejected"] += 1
                break
            due = tl.due(t0, "working_days", deadline)[1]
            accepted_at = t_acc
            event(t_acc, coord, "accepted", "new", "accepted",
                  f"Đã tiếp nhận phản ánh; hạn xử lý {st.local_hm_dmy(due)}.")
            state, t_last = "accepted", t_acc
            agency_id = self.routes.get((cat_id, commune)) or self.routes.get((cat_id, None))
            if agency_id is None:
                break
            event(t_acc, coord, "assigned", "accepted", "assigned", f"Chuyển {self.agencies[agency_id][1]} xử lý.",
                  {"agency": self.agencies[agency_id][0]})
            state = "assigned"
            handler = rng.choice(self.handlers[agency_id])
            t_start = tl.add(t_acc, 1800 + int(rnd() * 16 * 3600))
            if rnd() < P_LATE_ANSWER:
                t_ans = tl.add(due, 3600 + int(rnd() * 5 * 8 * 3600))
            else:
                allowed = tl.W(due) - tl.W(t_start)
                t_ans = tl.add(t_start, max(int(allowed * (0.1 + 0.85 * rnd())), 1800))
            active_end = min(t_ans, end)
            # the sweep's warnings while the report was open (only those of reports answered by `now`)
            if t_ans <= end:
                first = self._tick_after(t_acc)
                w_due = tl.W(due)
                if tl.W(first) >= w_due - HORIZON:
                    t_warn = first
                else:
                    t_warn = self._tick_after(tl.at_working(w_due - HORIZON))
                t_late = self._tick_after(due)
                late_first = t_late <= t_warn
                warn_due_soon = (not late_first) and t_warn < active_end and t_warn < due
                warn_late = t_late < active_end
                if warn_due_soon:
                    events.append((t_warn, None, "warned_due_soon", None, None,
                                   f"Phản ánh sắp đến hạn xử lý (hạn {st.local_hm_dmy(due)}).", "due"))
                    w_ds = True
                if warn_late:
                    events.append((t_late, None, "warned_late", None, None,
                                   f"Phản ánh đã quá hạn xử lý (hạn {st.local_hm_dmy(due)}).", "due"))
                    w_ds = w_late = True
            if t_start > end:
                break
            event(t_start, handler, "in_progress", "assigned", "in_progress", "Cơ quan đang xử lý.")
            state, t_last = "in_progress", t_start
            if t_ans > end:
                break
            answer = rng.choice(texts.REPORT_ANSWERS.get(cat_code) or texts.REPORT_ANSWERS["default"])
            event(t_ans, handler, "answered", "in_progress", "answered", answer[:1000])
            state, answered_at, t_last = "answered", t_ans, t_ans
            late = t_ans > due
            self.stats["answered"] += 1
            self.stats["answered_late"] += late
            if rnd() < P_RATE:
                t_rate = t_ans + 3600 + int(rnd() ** 2 * 3 * DAY)
                if t_rate > end:
                    break
                r, acc = rnd(), 0.0
                rating = "satisfied"
                for level, share in (RATING_LATE if late else RATING_ON_TIME):
                    acc += share
                    if r < acc:
                        rating = level
                        break
                rating_comment = rng.choice(texts.REPORT_RATING_COMMENTS[rating])
                to = "answered" if rating == "unsatisfied" else "closed"
                event(t_rate, cit.id, "rated", "answered", to, f"Đánh giá: {RATING_LABELS[rating]}", {"rating": rating})
                if to == "closed":
                    event(t_rate, cit.id, "closed", "answered", "closed", "Người phản ánh hài lòng; phản ánh đã đóng.")
                    closed_at = t_rate
                state, t_last = to, t_rate
                self.stats["rated"] += 1
            elif rnd() < P_CLOSE_WITHOUT_RATING:
                t_close = t_ans + 3600 + int(rnd() * 5 * DAY)
                if t_close > end:
                    break
                event(t_close, cit.id, "closed", "answered", "closed", "Phản ánh đã đóng.")
                state, closed_at, t_last = "closed", t_close, t_close
            break
        if state in ("accepted", "assigned", "in_progress"):
            self.stats["open"] += 1
        out.report.append((
            rid, public_id, cat_id, description, attributes, None, None, address, commune, urgency, state, cit.id,
            "", "", "", "", "", "web", "", None, agency_id, None, reject_reason, reject_note, None, answer,
            st.db_or_none(due), st.db_or_none(accepted_at), st.db_or_none(answered_at), st.db_or_none(closed_at),
            rating, rating_comment, 0, w_ds, w_late, db(t0), db(t_last)))
        # events in time order; the sweep's warnings carry the state the report had then
        events.sort(key=lambda e: e[0])
        current = "new"
        for at, actor, action, from_state, to_state, note, extra in events:
            if action.startswith("warned_"):
                from_state = to_state = current
                data = {"public_id": public_id, "due_at": st.iso_utc(due)}
            else:
                data = {"public_id": public_id, "from": from_state, "to": to_state, **(extra or {})}
                current = to_state
            eid = ids["reportevent"]
            ids["reportevent"] = eid + 1
            out.reportevent.append((eid, rid, actor, db(at), action, from_state, to_state, note,
                                    action in PUBLIC_ACTIONS))
            did = ids["domainevent"]
            ids["domainevent"] = did + 1
            out.domainevent.append((did, f"feedback.report_{action}", actor, "feedback.report", str(rid),
                                    json.dumps(data, ensure_ascii=False), db(at)))
