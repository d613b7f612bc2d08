"""One simulated dossier at a time, from submission to rating, written as the services would have.

For each dossier this module produces exactly the rows `tinhso.dossiers.services` write for the same
story (and `datastore.services.results_deliver` on approval): the dossier with its snapshots and clock,
its workflow steps (due times by cumulative share; started, finished, status), one processing-control-slip
row (`Handover`) per hand-over with its early / on time / late mark, one `DossierEvent` per transition
with the same action, states, step, note, attachments and data, the audit chain link of each event
(`audit.hashing`, the same canonical JSON the `post_save` receiver hashes) and the chain head,
components (uploaded, counted at the desk, or reused from the citizen's data store), supplement and
payment requests (the clock paused and resumed, due times moved by `due_after_resume`), the apology with
its one new appointment, the result in the applicant's data store, the rating and the rare complaint.
The story stops at the simulation's `now`: what would happen later is not written.

Times are integer seconds (see sim_calendar); due times come from `Timeline`, the working calendar
replayed exactly. Warned flags: what the warning sweep (every 5 minutes) would have set for what is
finished or closed; anything still owed at `now` is left to the sweep, which writes the warnings.
"""
from __future__ import annotations

import binascii
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from tinhso.audit import hashing
from tinhso.datastore.services import RESULT_FACTS
from tinhso.dossiers.models import (Apology, Complaint, Dossier, DossierComponent, DossierEvent, DossierStep,
                                    Handover, PaymentRequest, Rating, SupplementRequest)
from tinhso.audit.models import ChainHead, ChainLink
from tinhso.datastore.models import StoredDocument
from tinhso.events.models import DomainEvent

from . import sim_texts as texts
from .sim_calendar import DAY, Stamps, Timeline
from .sim_people import EVENT_COLUMNS, DOC_COLUMNS, Citizen, SampleFile
from .sim_writer import Table

# Shares of a year (tuned so that the outcome lands in the bands DOMAIN.md and the issue describe).
P_ONLINE = 0.67            # channel 2 among procedures offered online, on working days (days off: all online)
P_POST = 0.05              # postal among the others
P_REFUSE = 0.015           # online submissions refused at reception
P_WITHDRAW_EARLY = 0.003   # withdrawn before reception
P_PAY_ONLINE = 0.85        # fee-bearing online dossiers paid online (VietQR), clock paused meanwhile
P_SUPPLEMENT = 0.07        # one supplement request (the clock paused)
P_SECOND_SUPPLEMENT = 0.12  # of those, a second one (late by the rule of DOMAIN.md §8)
P_LATE = 0.04              # finished after the due time as set at reception
P_APOLOGY = 0.45           # of the late ones, an apology with one new appointment
P_SAVED_BY_APOLOGY = 0.7   # of those, finished within the new appointment
P_WITHDRAW = 0.004         # withdrawn while being processed
P_STOP = 0.003             # stopped by the leader
P_REUSE_ID = 0.5           # online: the CCCD scan taken from the data store when the citizen has one
P_OPTIONAL_COMPONENT = 0.3
P_RATE = {1: 0.35, 2: 0.6, 3: 0.3}
P_COMPLAINT, P_COMPLAINT_LATE = 0.003, 0.06
ONLINE_RETURN = (0.8, 0.15)  # online submissions: result online / at the desk (rest by post)
RATING_ON_TIME = (("satisfied", 0.9), ("acceptable", 0.08), ("unsatisfied", 0.02))
RATING_LATE = (("satisfied", 0.45), ("acceptable", 0.3), ("unsatisfied", 0.25))
HORIZON = 8 * 3600         # the warning horizon: one working day

RECORD_TYPE = "dossiers.dossierevent"

DOSSIER_COLUMNS = [
    "id", "code", "procedure_id", "procedure_code", "procedure_name", "agency_id", "channel", "state",
    "applicant_id", "applicant_name", "applicant_cccd", "applicant_phone", "applicant_email", "applicant_address",
    "form_data", "search_key", "submit_token", "limit_kind", "limit_amount", "submitted_at", "received_at",
    "counting_from", "due_at", "original_due_at", "paused_at", "paused_total_seconds", "finished_at", "returned_at",
    "closed_at", "supplement_count", "reappointed", "current_step", "assignee_id", "fee_amount", "paid_at",
    "return_method", "result_file", "result_name", "state_note", "warned_due_soon", "warned_late", "created_at",
    "updated_at"]
STEP_COLUMNS = ["id", "dossier_id", "order", "kind", "name", "role", "share_percent", "agency_id", "assignee_id",
                "due_at", "started_at", "finished_at", "status", "warned_due_soon", "warned_late"]
HANDOVER_COLUMNS = ["id", "dossier_id", "step", "agency_id", "at", "giver_id", "receiver_id", "result", "step_due_at",
                    "timeliness"]
EVENT_ROW_COLUMNS = ["id", "dossier_id", "actor_id", "at", "action", "from_state", "to_state", "step", "note",
                     "attachments", "data"]
LINK_COLUMNS = ["id", "stream", "seq", "record_type", "record_id", "record_hash", "prev_hash", "link_hash", "created_at"]
HEAD_COLUMNS = ["stream", "seq", "link_hash", "updated_at"]
COMPONENT_COLUMNS = ["id", "dossier_id", "key", "name", "file", "original_filename", "content_type", "size", "sha256",
                     "originals", "certified_copies", "copies", "supplement_round", "uploaded_at", "reused_from_id",
                     "reuse_source"]
SUPPLEMENT_COLUMNS = ["id", "dossier_id", "requested_by_id", "requested_at", "reason", "items", "answered_at",
                      "answer_note"]
PAYMENT_COLUMNS = ["id", "dossier_id", "requested_by_id", "requested_at", "amount", "purpose", "qr_payload", "paid_at",
                   "payment_reference"]
APOLOGY_COLUMNS = ["id", "dossier_id", "created_by_id", "created_at", "reason", "previous_due_at", "new_due_at"]
RATING_COLUMNS = ["id", "dossier_id", "level", "criteria", "comment", "created_at"]
COMPLAINT_COLUMNS = ["id", "dossier_id", "author_id", "text", "created_at"]


def _first(item):
    return item[0]


def _pick(rnd, items):
    return items[int(rnd() * len(items))]


# The rating form's criteria ({key: chosen}) for every combination of choices, as JSON.
CRITERIA_JSON = [json.dumps({key: bool(bits >> i & 1) for i, key in enumerate(texts.RATING_CRITERIA)})
                 for bits in range(1 << len(texts.RATING_CRITERIA))]


def canonical(value) -> str:
    """JSON exactly as `audit.hashing.canonical_json` writes a value (sorted keys, compact, UTF-8)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def tables() -> dict[str, Table]:
    return {
        "dossier": Table(Dossier, DOSSIER_COLUMNS), "step": Table(DossierStep, STEP_COLUMNS),
        "handover": Table(Handover, HANDOVER_COLUMNS), "event": Table(DossierEvent, EVENT_ROW_COLUMNS),
        "link": Table(ChainLink, LINK_COLUMNS), "head": Table(ChainHead, HEAD_COLUMNS),
        "component": Table(DossierComponent, COMPONENT_COLUMNS),
        "supplement": Table(SupplementRequest, SUPPLEMENT_COLUMNS), "payment": Table(PaymentRequest, PAYMENT_COLUMNS),
        "apology": Table(Apology, APOLOGY_COLUMNS), "rating": Table(Rating, RATING_COLUMNS),
        "complaint": Table(Complaint, COMPLAINT_COLUMNS), "document": Table(StoredDocument, DOC_COLUMNS),
        "domainevent": Table(DomainEvent, EVENT_COLUMNS),
    }


class VietQR:
    """VietQR payloads as `dossiers.payments.vietqr_payload` builds them, without its per-call cost: the
    library's payload for one dossier is taken apart once (EMVCo fields: id, length, value) and rebuilt
    with the amount and purpose of each dossier and a new CRC-16/CCITT (binascii.crc_hqx). Checked
    against the library on a few codes at start; on any difference the library itself is used."""

    def __init__(self):
        from tinhso.dossiers.payments import vietqr_payload

        self.library = vietqr_payload
        self.fields = None
        sample = vietqr_payload(amount=3000, code="000.00.00.H55-260101-0001")
        fields, i = [], 0
        while i < len(sample):
            tag, n = sample[i:i + 2], int(sample[i + 2:i + 4])
            fields.append((tag, sample[i + 4:i + 4 + n]))
            i += 4 + n
        if [t for t, _ in fields][-1] != "63":
            return
        self.fields = fields[:-1]
        for amount, code in ((3000, "000.01.90.H55-260105-0001"), (305000, "000.00.03.H55-261231-1234"),
                             (8000, "000.92.90.H55-260214-0042")):
            if self.build(amount, code) != vietqr_payload(amount=amount, code=code):
                self.fields = None
                return

    def build(self, amount: int, code: str) -> str:
        if self.fields is None:
            return self.library(amount=amount, code=code)
        purpose = f"LE PHI HS {code}"[:50]
        out = []
        for tag, value in self.fields:
            if tag == "54":
                value = str(int(amount))
            elif tag == "62":
                value = f"08{len(purpose):02d}{purpose}"
            out.append(f"{tag}{len(value):02d}{value}")
        body = "".join(out) + "6304"
        return body + f"{binascii.crc_hqx(body.encode(), 0xFFFF):04X}"


@dataclass
class Proc:
    """What the simulation needs of a procedure, prepared once."""

    id: int
    code: str
    name: str
    key: str                   # search key of the name
    level: str
    agency_id: int | None
    online: bool
    kind: str
    amount: int
    fee: int
    result_name: str
    steps: list[tuple]         # (order, kind, name, role, share)
    components: list[tuple]    # (key, name, mandatory, originals, certified, copies, sample)
    form: object = None        # FormBuilder
    phases: tuple = ()         # shares of the working time: assign, process, approve
    doc_type: str = "khac"
    valid_months: int | None = None
    items_json: list = field(default_factory=list)  # per component: '{"items":[...]}', items for the request


class ChunkRows:
    """The rows of one chunk, by table (`out.event.append(row)`; `out.rows` by name)."""

    def __init__(self, names, rows: dict[str, list] | None = None):
        self.rows = {name: [] for name in names}
        if rows:
            self.rows.update(rows)
        for name, rows in self.rows.items():
            setattr(self, name, rows)
        self.chains: list[tuple[int, list]] = []  # (dossier id, events) left to `DossierStory.chains`


class FormBuilder:
    """The application form of a procedure filled as the citizen would: their own name, CCCD, phone,
    e-mail and address where asked, other people's names, dates before the submission, plausible values.

    A few variants of everything that is not the applicant's own data are drawn once per procedure and
    kept as `str.format` templates: a dossier's form costs one `format` call, not a JSON encoding."""

    VARIANTS = 24
    APPLICANT = ("name", "cccd", "phone", "email", "address")

    def __init__(self, procedure, rng, names):
        fields = [(f.key, f.type, f.max_length, f.min_value, f.max_value, list(f.choices or []))
                  for f in procedure.form_fields.all().order_by("position")]
        self.variants = []
        for _ in range(self.VARIANTS):
            form, facts, offsets = [], [], []
            for key, ftype, max_length, min_value, max_value, choices in fields:
                slot, value = None, None
                if ftype == "cccd":
                    if key == "so_cccd" or not key.startswith("so_cccd_"):
                        slot = "cccd"
                    else:  # another person (the spouse): born elsewhere, no account here
                        value = (f"{rng.choice(('038', '040', '036'))}{rng.choice('0123')}{rng.randrange(80, 100):02d}"
                                 f"{rng.randrange(1_000_000):06d}")
                elif ftype == "phone":
                    slot = "phone"
                elif ftype == "email":
                    slot = "email"
                elif ftype == "date":
                    slot = "date"
                    offsets.append(rng.randrange(1, 40))
                elif ftype == "number":
                    lo = int(min_value) if min_value is not None else 1
                    hi = int(max_value) if max_value is not None else lo + 4
                    value = rng.randint(max(lo, 1), max(lo, min(hi, lo + 4))) if lo < 1000 else lo
                elif ftype == "select":
                    value = rng.choice(choices)["value"] if choices else ""
                elif ftype == "checkbox":
                    value = True
                elif ftype == "textarea":
                    value = rng.choice(texts.TEXTAREA_TEXTS)
                elif key == "ho_ten":
                    slot = "name"
                elif key.startswith("ho_ten"):
                    value = names.full("nu" if rng.random() < 0.5 else "nam")
                elif key in texts.FORM_TEXTS:
                    value = rng.choice(texts.FORM_TEXTS[key])
                else:  # where the applicant lives, where the business or the building is
                    slot = "address"
                if isinstance(value, str) and max_length:
                    value = value[:max_length]
                if slot == "date":
                    piece = f'"{key}": "{{{len(self.APPLICANT) + len(offsets) - 1}}}"'
                elif slot is not None:
                    piece = f'"{key}": "{{{self.APPLICANT.index(slot)}}}"'
                else:
                    piece = (json.dumps(key) + ": " + json.dumps(value, ensure_ascii=False)).replace("{", "{{").replace("}", "}}")
                form.append(piece)
                if key in RESULT_FACTS and value != "":
                    facts.append(piece)
            self.variants.append(("{{" + ", ".join(form) + "}}", "{{" + ", ".join(facts) + "}}", tuple(offsets)))

    def build(self, cit: Citizen, t: int, stamps: Stamps, variant: int) -> str:
        form, _facts, offsets = self.variants[variant]
        dates = [stamps.local_date_iso(t - off * DAY) for off in offsets]
        return form.format(cit.name, cit.cccd, cit.phone, cit.email, cit.address, *dates)

    def facts(self, cit: Citizen, t: int, stamps: Stamps, variant: int) -> str:
        """The facts of the form the result carries into the data store (datastore.services.RESULT_FACTS)."""
        _form, facts, offsets = self.variants[variant]
        dates = [stamps.local_date_iso(t - off * DAY) for off in offsets]
        return facts.format(cit.name, cit.cccd, cit.phone, cit.email, cit.address, *dates)


class DossierStory:
    """Generates the rows of the dossiers of one chunk (see the module's docstring)."""

    def __init__(self, *, rng, timeline: Timeline, stamps: Stamps, end: int, procs: list[Proc],
                 officials: dict[int, dict[str, list[int]]], agencies: dict[int, tuple[str, str]],
                 samples: dict[str, SampleFile], vietqr: VietQR):
        self.rng, self.tl, self.st, self.end = rng, timeline, stamps, end
        self.procs, self.officials, self.agencies = procs, officials, agencies
        self.samples, self.vietqr = samples, vietqr
        self.note_json: dict[str, str] = {}
        # True: each dossier's events are left in `out.chains` (their ids reserved) for `chains()` to turn into
        # event, link and head rows later, elsewhere (the writing process: simulate._dossier_chunks)
        self.defer_chain = False
        self.stats = {"late": 0, "supplements": 0, "paid_online": 0, "ratings": 0, "complaints": 0,
                      "apologies": 0, "reused": 0, "finished": 0}

    # --- helpers -------------------------------------------------------------------------------------
    def nj(self, note: str) -> str:
        s = self.note_json.get(note)
        if s is None:
            s = self.note_json[note] = json.dumps(note, ensure_ascii=False)
        return s

    @staticmethod
    def timeliness(at: int, due: int | None) -> str:
        if due is None:
            return "on_time"
        if at > due:
            return "late"
        return "early" if due - at >= 3600 else "on_time"

    # --- one dossier ---------------------------------------------------------------------------------------
    def dossier(self, out: ChunkRows, ids: dict[str, int], sk: tuple) -> None:
        (t_sub, p, channel, cit, agency_id, fate0, t_rec, t_w, code) = sk
        rng, tl, st, end = self.rng, self.tl, self.st, self.end
        rnd = rng.random
        db = st.db
        did = ids["dossier"]
        ids["dossier"] = did + 1
        staff = self.officials[agency_id]
        pool = staff["receiver"]
        rcv = pool[int(rnd() * len(pool))]
        pool = staff["specialist"]
        spc = pool[int(rnd() * len(pool))]
        pool = staff["leader"]
        ldr = pool[int(rnd() * len(pool))]
        agency_code, agency_name = self.agencies[agency_id]
        variant = int(rnd() * FormBuilder.VARIANTS)
        form_json = p.form.build(cit, t_sub, st, variant)
        k = len(p.steps)
        s_due = [None] * k
        s_start = [None] * k
        s_fin = [None] * k
        s_status = ["waiting"] * k
        s_assignee = [None] * k
        s_resets = [[] for _ in range(k)]
        events = []   # (at, actor, action, from, to, step, note, attachments_json, data_json)
        ev = events.append
        state = None
        cur = 0
        assignee = None
        due = cf = original_due = paused_at = None
        paused_total = supplement_count = 0
        received_at = finished_at = returned_at = closed_at = paid_at = None
        reappointed = False
        state_note = ""
        result_file = result_name = ""
        if channel == 2:
            r = rnd()
            return_method = "online" if r < ONLINE_RETURN[0] else "desk" if r < sum(ONLINE_RETURN) else "post"
        else:
            return_method = "desk" if channel == 1 else "post"
        resets = []       # instants the dossier's warned flags were reset (reception, resumption, apology)
        t_last = t_sub
        late_planned = False
        comp_rows = out.component

        hand_rows = out.handover

        def handover(order: int, at: int, giver, receiver, result: str) -> None:
            hid = ids["handover"]
            ids["handover"] = hid + 1
            due_s = s_due[order - 1]
            # self.timeliness(at, due_s), inline
            mark = "late" if at > due_s else "early" if due_s - at >= 3600 else "on_time"
            hand_rows.append((hid, did, order, agency_id, db(at), giver, receiver, result, db(due_s), mark))

        def advance(at: int, giver, receiver, result: str, to_kind: str | None = None) -> None:
            nonlocal cur, assignee
            for i in range(k):
                if s_status[i] == "active":
                    s_status[i] = "done"
                    s_fin[i] = at
                    handover(i + 1, at, giver, receiver, result)
                    break
            for i in range(k):
                if s_status[i] == "waiting" and (to_kind is None or p.steps[i][1] == to_kind):
                    s_status[i] = "active"
                    s_start[i] = at
                    s_assignee[i] = receiver
                    cur = i + 1
                    break
            assignee = receiver

        def pause(at: int) -> None:
            nonlocal paused_at
            paused_at = at

        def resume(at: int) -> None:
            nonlocal due, paused_at, paused_total
            due = tl.due_after_resume(due, paused_at, at)
            paused_total += at - paused_at
            for i in range(k):
                if s_status[i] != "done":
                    s_due[i] = tl.due_after_resume(s_due[i], paused_at, at)
                    s_resets[i].append(at)
            paused_at = None
            resets.append(at)

        def components_uploaded(at: int, keys=None, supplement_round: int = 0) -> list:
            att = []
            for (key, name, mandatory, o, c, cp, sample) in p.components:
                if keys is not None and key not in keys:
                    continue
                cid = ids["component"]
                ids["component"] = cid + 1
                fname = f"{key}.{sample.name.rsplit('.', 1)[-1]}"
                comp_rows.append((cid, did, key, name, sample.name, fname,
                                  "application/pdf" if fname.endswith(".pdf") else "image/jpeg", sample.size,
                                  sample.sha256, o, c, cp, supplement_round, db(at), None, ""))
                att.append('{"component":"%s","file":"%s","sha256":"%s"}' % (key, fname, sample.sha256))
            return att

        # --- submission, reception ----------------------------------------------------------------
        if channel == 2:
            state = 1
            att, reused = [], []
            keys = set()
            for (key, name, mandatory, o, c, cp, sample) in p.components:
                if (key == "giay_to_tuy_than" and cit.doc_id and rnd() < P_REUSE_ID
                        and (cit.doc_valid_until is None or cit.doc_valid_until.isoformat() >= st.local_date_iso(t_sub))):
                    reused.append((key, name, o, c, cp))
                elif mandatory or rnd() < P_OPTIONAL_COMPONENT:
                    keys.add(key)
            att = components_uploaded(t_sub, keys)
            doc = self.samples["cccd"]
            for key, name, o, c, cp in reused:
                cid = ids["component"]
                ids["component"] = cid + 1
                comp_rows.append((cid, did, key, name, doc.name, "cccd.pdf", "application/pdf", doc.size, doc.sha256,
                                  o, c, cp, 0, db(t_sub), cit.doc_id, "datastore"))
                att.append('{"component":"%s","reused_from":%d,"sha256":"%s","source":"datastore"}'
                           % (key, cit.doc_id, doc.sha256))
            if reused:
                self.stats["reused"] += 1
            ev((t_sub, cit.id, "submit", None, 1, None, "", "[" + ",".join(att) + "]", '{"identity_check":"verified"}'))
            if fate0 == "withdraw" and t_w <= end:
                note = _pick(rnd, texts.WITHDRAW_REASONS)
                ev((t_w, cit.id, "withdraw", 1, 7, None, note, "[]", "{}"))
                state, closed_at, state_note, t_last = 7, t_w, note, t_w
            elif t_rec > end:
                pass
            elif fate0 == "refuse":
                note = _pick(rnd, texts.REFUSE_REASONS)
                ev((t_rec, rcv, "refuse", 1, 3, None, note, "[]", "{}"))
                state, closed_at, state_note, t_last = 3, t_rec, note, t_rec
        if code is not None:
            # _start_clock
            received_at = t_rec
            cf, due = tl.due(t_rec, p.kind, p.amount)
            original_due = due
            s_due[:] = tl.step_dues(cf, due, [s[4] for s in p.steps])
            for i in range(k):
                if i == 0 and k > 1:
                    s_status[i], s_start[i], s_fin[i] = "done", t_rec, t_rec
                elif i == min(1, k - 1):
                    s_status[i], s_start[i] = "active", t_rec
            handover(1, t_rec, None, None, "Tiếp nhận hồ sơ")
            cur = min(2, k)
            resets.append(t_rec)
            t_last = t_rec
            if channel == 2:
                state = 2
                ev((t_rec, rcv, "receive", 1, 2, cur, "", "[]", '{"due_at":"%s"}' % st.iso_local(due)))
            else:
                state = 2
                att = []
                for (key, name, mandatory, o, c, cp, sample) in p.components:
                    if mandatory or rnd() < P_OPTIONAL_COMPONENT:
                        cid = ids["component"]
                        ids["component"] = cid + 1
                        comp_rows.append((cid, did, key, name, "", "", "", 0, "", o, c, cp, 0, db(t_rec), None, ""))
                        att.append('{"component":"%s","paper":{"certified_copies":%d,"copies":%d,"originals":%d}}'
                                   % (key, c, cp, o))
                ev((t_rec, rcv, "register", None, 2, cur, "", "[" + ",".join(att) + "]",
                    '{"channel":%d,"due_at":"%s"}' % (channel, st.iso_local(due))))

            # --- processing plan: working time spent, as a share of the time allowed ------------------
            allowed = tl.W(due) - tl.W(cf)
            if rnd() < P_LATE:
                late_planned = True
                f = 1.03 + 0.6 * rnd()
            else:
                f = 0.06 + 0.9 * rnd() ** 1.4
            budget = max(allowed * f, 600)
            a, pr, ap = p.phases
            ja, jp, jap = a * (0.6 + 0.8 * rnd()), pr * (0.6 + 0.8 * rnd()), ap * (0.6 + 0.8 * rnd())
            norm = budget / (ja + jp + jap)
            d_assign, d_process, d_approve = max(int(ja * norm), 60), max(int(jp * norm), 120), max(int(jap * norm), 60)
            t = t_rec
            while True:  # a block to leave at any point of the story (`break`)
                # fees paid online: requested at reception, the clock paused until paid
                if channel == 2 and p.fee > 0 and rnd() < P_PAY_ONLINE:
                    t_pr = tl.add(t, 60 + int(rnd() * 1740))
                    if t_pr > end:
                        break
                    purpose = f"Phí, lệ phí hồ sơ {code}"
                    pay_id = ids["payment"]
                    ids["payment"] = pay_id + 1
                    qr = self.vietqr.build(p.fee, code)
                    ev((t_pr, rcv, "request_payment", state, 6, cur, purpose, "[]", '{"amount":%d}' % p.fee))
                    state = 6
                    pause(t_pr)
                    t_last = t_pr
                    t_pay = t_pr + 300 + int(rnd() ** 2 * 2 * DAY)
                    if t_pay > end:
                        out.payment.append((pay_id, did, rcv, db(t_pr), p.fee, purpose, qr, None, ""))
                        break
                    ref = f"FT{st.local_date_iso(t_pay)[2:4]}{rng.randrange(10**11):011d}"
                    out.payment.append((pay_id, did, rcv, db(t_pr), p.fee, purpose, qr, db(t_pay), ref))
                    paid_at = t_pay
                    resume(t_pay)
                    ev((t_pay, cit.id, "pay", 6, 4, cur, "", "[]", '{"reference":"%s"}' % ref))
                    state = 4
                    t = t_last = t_pay
                    self.stats["paid_online"] += 1
                # assignment
                t_asg = tl.add(t, d_assign)
                if t_asg > end:
                    break
                active = next((i for i in range(k) if s_status[i] == "active"), None)
                if active is not None and p.steps[active][1] == "assign":
                    before = state
                    advance(t_asg, ldr, spc, "Chuyển xử lý")
                    ev((t_asg, ldr, "assign", before, 4, cur, "", "[]", '{"assignee":%d}' % spc))
                else:
                    actor = rcv if rnd() < 0.5 else ldr
                    if active is not None:
                        s_assignee[active] = spc
                    assignee = spc
                    ev((t_asg, actor, "assign", state, 4, cur, "", "[]", '{"assignee":%d}' % spc))
                state = 4
                t = t_last = t_asg
                # withdrawn or stopped while being processed
                r = rnd()
                if r < P_WITHDRAW + P_STOP:
                    t_x = tl.add(t, int(d_process * rnd()) + 60)
                    if t_x > end:
                        break
                    if r < P_WITHDRAW:
                        note = _pick(rnd, texts.WITHDRAW_REASONS)
                        ev((t_x, cit.id, "withdraw", 4, 7, cur, note, "[]", "{}"))
                        state = 7
                    else:
                        note = _pick(rnd, texts.STOP_REASONS)
                        ev((t_x, ldr, "stop", 4, 8, cur, note, "[]", "{}"))
                        state = 8
                    state_note, closed_at, t_last = note, t_x, t_x
                    break
                # supplements (each pauses the clock until the citizen supplies)
                rest = d_process
                rounds = 0
                if rnd() < P_SUPPLEMENT:
                    rounds = 2 if rnd() < P_SECOND_SUPPLEMENT else 1
                    self.stats["supplements"] += 1
                gave_up = False
                for _ in range(rounds):
                    u = 0.15 + 0.5 * rnd()
                    t_sr = tl.add(t, max(int(rest * u), 60))
                    rest = max(int(rest * (1 - u)), 120)
                    if t_sr > end:
                        gave_up = True
                        break
                    ci = int(rnd() * len(p.components))
                    ckey, cname = p.components[ci][0], p.components[ci][1]
                    reason = _pick(rnd, texts.SUPPLEMENT_REASONS)
                    items_json = p.items_json[ci]
                    sup_id = ids["supplement"]
                    ids["supplement"] = sup_id + 1
                    ev((t_sr, spc, "request_supplement", 4, 5, cur, reason, "[]", '{"items":%s}' % items_json))
                    state = 5
                    supplement_count += 1
                    pause(t_sr)
                    t_last = t_sr
                    t_sup = t_sr + 2 * 3600 + int(rnd() ** 2 * 6 * DAY)
                    if rnd() < 0.04:  # the citizen never supplies: the leader stops the dossier
                        t_x = tl.add(t_sr + 15 * DAY, 3600)
                        out.supplement.append((sup_id, did, spc, db(t_sr), reason, items_json, None, ""))
                        if t_x <= end:
                            note = texts.STOP_REASONS[0]
                            ev((t_x, ldr, "stop", 5, 8, cur, note, "[]", "{}"))
                            state, state_note, closed_at, t_last = 8, note, t_x, t_x
                        gave_up = True
                        break
                    if t_sup > end:
                        out.supplement.append((sup_id, did, spc, db(t_sr), reason, items_json, None, ""))
                        gave_up = True
                        break
                    answer = _pick(rnd, texts.SUPPLY_NOTES)
                    out.supplement.append((sup_id, did, spc, db(t_sr), reason, items_json, db(t_sup), answer))
                    att = components_uploaded(t_sup, {ckey}, supplement_count)
                    resume(t_sup)
                    ev((t_sup, cit.id, "supply", 5, 4, cur, answer, "[" + ",".join(att) + "]",
                        '{"due_at":"%s"}' % st.iso_local(due)))
                    state = 4
                    t = t_last = t_sup
                if gave_up:
                    break
                t_sa = tl.add(t, rest)
                t_ap = tl.add(t_sa, d_approve)
                # apology with one new appointment, when the dossier is going to be late
                t_apo = None
                if late_planned and t_ap > due and rnd() < P_APOLOGY:
                    anchor = resets[-1]
                    w = tl.W(due) - 3600 - int(rnd() * 6 * 3600)
                    if w > tl.W(anchor):
                        cand = tl.at_working(w)
                        if t_asg < cand < t_ap and cand < due and cand <= end:
                            t_apo = cand
                if t_apo is not None and t_apo < t_sa:
                    due = self._apology(out, ids, did, ldr, t_apo, due, t_ap, ev, state, cur)
                    reappointed = True
                    resets.append(t_apo)
                    t_last = t_apo
                    t_apo = None
                if t_sa > end:
                    break
                advance(t_sa, spc, ldr, "Trình phê duyệt", to_kind="approve")
                ev((t_sa, spc, "submit_approval", 4, 4, cur, "", "[]", "{}"))
                t_last = t_sa
                if t_apo is not None:
                    due = self._apology(out, ids, did, ldr, t_apo, due, t_ap, ev, state, cur)
                    reappointed = True
                    resets.append(t_apo)
                    t_last = t_apo
                if t_ap > end:
                    break
                # approval: the result, and the result in the applicant's data store
                result_file = self.samples["result"].name
                result_name = f"{code}-ket-qua.pdf"
                finished_at = t_ap
                advance(t_ap, ldr, None, "Phê duyệt", to_kind="return")
                ev((t_ap, ldr, "approve", 4, 9, cur, "", '[{"result":"%s"}]' % result_name, "{}"))
                state = 9
                t_last = t_ap
                self._deliver(out, ids, did, code, p, cit, ldr, t_ap, agency_name, result_name,
                              p.form.facts(cit, t_sub, st, variant))
                self.stats["finished"] += 1
                if t_ap > due or supplement_count > 1:
                    self.stats["late"] += 1
                # return of the result
                if return_method == "online":
                    t_ret = tl.add(t_ap, 60 + int(rnd() * 3600))
                elif return_method == "desk":
                    t_ret = tl.add(t_ap, 600 + int(rnd() ** 2 * 16 * 3600))
                else:
                    t_ret = tl.add(t_ap, 3600 + int(rnd() * 7 * 3600))
                if t_ret > end:
                    break
                returned_at = closed_at = t_ret
                if "active" in s_status:
                    advance(t_ret, rcv, None, "Trả kết quả")
                assignee = None
                ev((t_ret, rcv, "return", 9, 10, cur, "", "[]", '{"method":"%s"}' % return_method))
                state = 10
                t_last = t_ret
                late = t_ap > due or supplement_count > 1
                # the citizen rates, rarely complains
                if rnd() < P_RATE[channel]:
                    t_rate = t_ret + 300 + int(rnd() ** 2 * 3 * DAY)
                    if t_rate <= end:
                        self._rate(out, ids, did, cit.id, t_rate, late, ev)
                if rnd() < (P_COMPLAINT_LATE if late else P_COMPLAINT):
                    t_c = t_ret + 3600 + int(rnd() * 5 * DAY)
                    if t_c <= end:
                        text = _pick(rnd, texts.COMPLAINTS)
                        cid = ids["complaint"]
                        ids["complaint"] = cid + 1
                        out.complaint.append((cid, did, cit.id, text, db(t_c)))
                        ev((t_c, cit.id, "complain", 10, 10, None, "Phản ánh: " + text[:200], "[]",
                            '{"complaint":%d}' % cid))
                        self.stats["complaints"] += 1
                break

        # --- flags: what the sweep would have set for what is over; the rest is the sweep's ----------
        open_now = state in (2, 4, 5, 6)
        w_ds = w_late = False
        if due is not None and not open_now and state not in (1, 3):
            t_end = finished_at if finished_at is not None else (paused_at or closed_at)
            if t_end is not None:
                if t_end > due:
                    w_ds = w_late = True
                elif t_end > resets[-1] and tl.W(due) - tl.W(t_end) <= HORIZON:
                    w_ds = True
        if state in (7, 8):
            paused_at = None

        # --- rows ----------------------------------------------------------------------------------------
        for i in range(k if code is not None else 0):
            sid = ids["step"]
            ids["step"] = sid + 1
            order, skind, sname, srole, share = p.steps[i]
            wds = wl = False
            if s_status[i] == "done" and s_fin[i] != s_start[i]:
                fin, sdue = s_fin[i], s_due[i]
                if fin > sdue:
                    wds = wl = True
                elif tl.W(sdue) - tl.W(fin) <= HORIZON:
                    start = max([s_start[i]] + [x for x in s_resets[i] if x <= fin])
                    wds = fin > start
            out.step.append((sid, did, order, skind, sname, srole, share, agency_id, s_assignee[i],
                             db(s_due[i]), st.db_or_none(s_start[i]), st.db_or_none(s_fin[i]), s_status[i], wds, wl))
        dbn = st.db_or_none
        out.dossier.append((
            did, code, p.id, p.code, p.name, agency_id, channel, state, cit.id, cit.name, cit.cccd, cit.phone,
            cit.email, cit.address, form_json, cit.key + " " + p.key, None, p.kind, p.amount, db(t_sub),
            dbn(received_at), dbn(cf), dbn(due), dbn(original_due), dbn(paused_at), paused_total, dbn(finished_at),
            dbn(returned_at), dbn(closed_at), supplement_count, reappointed, cur, assignee, p.fee, dbn(paid_at),
            return_method, result_file, result_name, state_note, w_ds, w_late, db(t_sub), db(t_last)))
        if self.defer_chain:
            events.sort(key=_first)
            out.chains.append((did, events))
            ids["event"] += len(events)
            ids["link"] += len(events)
        else:
            self._chain(out, ids, did, events)

    def _apology(self, out, ids, did, ldr, at, due, t_ap, ev, state, cur) -> int:
        """One apology letter with one new appointment; returns the new due time."""
        rnd = self.rng.random
        if rnd() < P_SAVED_BY_APOLOGY:
            new_due = self.tl.add(t_ap, 1800 + int(rnd() * 8 * 3600))
        else:
            new_due = self.tl.add(due, 1800 + int(rnd() * max(self.tl.between(due, t_ap) - 3600, 1800)))
            if new_due >= t_ap:
                new_due = max(due + 60, t_ap - 600)
        if new_due <= due:
            new_due = due + 3600
        reason = _pick(rnd, texts.APOLOGY_REASONS)
        aid = ids["apology"]
        ids["apology"] = aid + 1
        st = self.st
        out.apology.append((aid, did, ldr, st.db(at), reason, st.db(due), st.db(new_due)))
        ev((at, ldr, "apologize", state, state, cur, reason, "[]",
            '{"new_due_at":"%s","previous_due_at":"%s"}' % (st.iso_local(new_due), st.iso_utc(due))))
        self.stats["apologies"] += 1
        return new_due

    def _deliver(self, out, ids, did, code, p: Proc, cit: Citizen, ldr, at, agency_name, result_name, facts_json):
        """`datastore.services.results_deliver`: the result in the applicant's store, and its event."""
        st = self.st
        doc_id = ids["document"]
        ids["document"] = doc_id + 1
        issued = st.local_date_iso(at)
        valid = None
        if p.valid_months:
            y, m, d = int(issued[:4]), int(issued[5:7]), int(issued[8:10])
            m += p.valid_months
            y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
            for day in (d, 30, 29, 28):
                try:
                    valid = dt.date(y, m, day).isoformat()
                    break
                except ValueError:
                    continue
        res = self.samples["result"]
        out.document.append((doc_id, cit.id, p.doc_type, p.result_name[:300], code, agency_name[:300], issued, valid,
                             res.name, result_name[:200], "application/pdf", res.size, res.sha256, "tinhso", did, None,
                             facts_json, st.db(at), None))
        eid = ids["domainevent"]
        ids["domainevent"] = eid + 1
        out.domainevent.append((eid, "datastore.result_delivered", ldr, "datastore.storeddocument", str(doc_id),
                                '{"dossier": "%s", "owner": %d, "doc_type": "%s"}' % (code, cit.id, p.doc_type),
                                st.db(at)))

    def _rate(self, out, ids, did, citizen_id, at, late, ev):
        rnd = self.rng.random
        r, acc, level = rnd(), 0.0, "satisfied"
        for lvl, share in (RATING_LATE if late else RATING_ON_TIME):
            acc += share
            if r < acc:
                level = lvl
                break
        good = level == "satisfied"
        bits = 0
        for i in range(len(texts.RATING_CRITERIA)):
            if rnd() < (0.9 if good else 0.35) and not (late and i == 0):
                bits |= 1 << i
        comment = _pick(rnd, texts.RATING_COMMENTS[level])
        rid = ids["rating"]
        ids["rating"] = rid + 1
        out.rating.append((rid, did, level, CRITERIA_JSON[bits], comment, self.st.db(at)))
        label = {"satisfied": "Hài lòng", "acceptable": "Chấp nhận được", "unsatisfied": "Không hài lòng"}[level]
        ev((at, citizen_id, "rate", 10, 10, None, "Đánh giá: " + label, "[]", '{"rating":"%s"}' % level))
        self.stats["ratings"] += 1

    def chains(self, out: ChunkRows, ids: dict[str, int], chains: list[tuple[int, list]]) -> None:
        """The event, link and head rows of dossiers whose chains were left (`defer_chain`), in order, from the
        event and link ids the first of them had reserved: the rows `_chain` would have written in `dossier`."""
        chain = self._chain
        for did, events in chains:
            chain(out, ids, did, events)

    def _chain(self, out: ChunkRows, ids: dict[str, int], did: int, events: list) -> None:
        """The DossierEvent rows, their audit links (same hashes as `audit.services.chain_append`) and the
        stream's head. The record's canonical JSON (`audit.hashing.canonical_json`: sorted keys, compact) is
        written as one f-string; the stamps are looked up inline (this runs for every event of the year)."""
        st = self.st
        notes = self.note_json
        db_days, db_times, t_days, times, base = st.db_days, st.db_times, st.t_days, st.times, st.base
        stream = f"dossier:{did}"
        prev = hashing.GENESIS
        ev_rows = out.event
        link_rows = out.link
        sha = hashlib.sha256
        eid, lid = ids["event"], ids["link"]
        seq = 0
        at_db = None
        events.sort(key=_first)  # the rating and a complaint come in either order; transitions are ordered
        for (at, actor, action, fs, ts, step, note, att, data) in events:
            seq += 1
            d, x = divmod(at, DAY)
            d -= base
            at_db = db_days[d] + db_times[x]
            note_j = notes.get(note)
            if note_j is None:
                note_j = notes[note] = json.dumps(note, ensure_ascii=False)
            doc = (f'{{"fields":{{"action":"{action}","actor_id":{"null" if actor is None else actor},'
                   f'"at":"{t_days[d]}{times[x]}+00:00","attachments":{att},"data":{data},"dossier_id":{did},'
                   f'"from_state":{"null" if fs is None else fs},"note":{note_j},'
                   f'"step":{"null" if step is None else step},"to_state":{ts}}},"id":{eid},"type":"{RECORD_TYPE}"}}')
            rh = sha(doc.encode()).hexdigest()
            lh = sha(f"{prev}|{rh}|{seq}|{stream}".encode()).hexdigest()
            ev_rows.append((eid, did, actor, at_db, action, fs, ts, step, note, att, data))
            link_rows.append((lid, stream, seq, RECORD_TYPE, eid, rh, prev, lh, at_db))
            prev = lh
            eid += 1
            lid += 1
        ids["event"], ids["link"] = eid, lid
        if seq:
            out.head.append((stream, seq, prev, at_db))
