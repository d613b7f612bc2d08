"""Words shown to citizens for the dossier's timeliness, money and history (no officials' names)."""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from tinhso.dossiers.models import DossierStep
from tinhso.dossiers.states import Action

TIMELINESS_WORDS = {
    "on_time": gettext_lazy("Còn trong hạn"),
    "due_soon": gettext_lazy("Sắp đến hạn"),
    "late": gettext_lazy("Quá hạn"),
    "paused": gettext_lazy("Tạm dừng tính thời gian (chờ bạn bổ sung hoặc nộp phí)"),
    "done_on_time": gettext_lazy("Đã xong, đúng hạn"),
    "done_late": gettext_lazy("Đã xong, trễ hạn"),
    "none": gettext_lazy("Chưa tính hạn"),
}

STEP_STATUS_WORDS = dict(DossierStep.Status.choices)

# Notes of these actions are written for the citizen; the others are notes between officials.
CITIZEN_NOTE_ACTIONS = frozenset({
    Action.REFUSE, Action.REQUEST_SUPPLEMENT, Action.SUPPLY, Action.REQUEST_PAYMENT, Action.WITHDRAW,
    Action.STOP, Action.APOLOGIZE, Action.RATE, Action.COMPLAIN,
})


def when(moment) -> str:
    """"14:30 27/02/2026" in the province's time zone ("" when not set); what `|date:"H:i d/m/Y"` gives,
    without the template filter's cost on the most visited pages."""
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y") if moment else ""


def step_rows(steps, *, agencies: bool = False) -> list[dict]:
    """The workflow's steps for a citizen or the public: name, status, and when it was done or is due."""
    rows = []
    words = {}  # each status word translated once per call (the tracking page lists every step)
    due_word = None
    for s in steps:
        label = words.get(s.status)
        if label is None:
            label = words[s.status] = str(STEP_STATUS_WORDS.get(s.status, s.status))
        if s.status == DossierStep.Status.DONE and s.finished_at:
            progress = f"{label}: {when(s.finished_at)}"
        elif s.due_at and s.status != DossierStep.Status.DONE:
            due_word = due_word or _("hạn")
            progress = f"{label} · {due_word} {when(s.due_at)}"
        else:
            progress = label
        rows.append({"name": s.name, "status": s.status, "progress": progress,
                     "agency": s.agency.name if agencies else ""})
    return rows


def timeliness_words(code: str) -> str:
    return str(TIMELINESS_WORDS.get(code, TIMELINESS_WORDS["none"]))


def money(amount: int | None) -> str:
    """12000 -> "12.000 đồng"."""
    return _("%(n)s đồng") % {"n": f"{int(amount or 0):,}".replace(",", ".")}


def history_rows(dossier) -> list[dict]:
    """The dossier's events for its applicant: who acted is "Bạn" or the agency, never an official's name."""
    rows = []
    agency_name = dossier.agency.name
    for ev in dossier.events.all():
        if ev.actor_id and ev.actor_id == dossier.applicant_id:
            by = _("Bạn")
        elif ev.actor_id:
            by = agency_name
        else:
            by = _("Hệ thống")
        rows.append({
            "at": ev.at,
            "action": ev.action_label,
            "state": ev.get_to_state_display(),
            "by": by,
            "note": ev.note if ev.action in CITIZEN_NOTE_ACTIONS else "",
        })
    return rows


def field_href(bound_field) -> str:
    """The id the error summary links to: the input itself, or the first choice of a group."""
    return "#" + (bound_field.id_for_label or f"{bound_field.auto_id}_0")


def summary_items(*, forms=(), general=(), files=()) -> list[dict]:
    """The error summary at the top of a page: each message links to the field it is about.
    `files` holds (input id, paper name, messages)."""
    items = [{"href": "", "text": str(m)} for m in general]
    for form in forms:
        if form is None:
            continue
        items += [{"href": "", "text": str(e)} for e in form.non_field_errors()]
        for bf in form:
            for e in bf.errors:
                items.append({"href": field_href(bf), "text": f"{bf.label}: {e}"})
    for input_id, name, msgs in files:
        items += [{"href": "#" + input_id, "text": f"{name}: {m}"} for m in msgs]
    return items
