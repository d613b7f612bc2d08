"""Officials' evaluation ("đánh giá cán bộ tự động"): what each official did in a period, read from the
processing control slips (`dossiers.Handover`: one row per hand-over, early / on time / late against
the step's due time), the dossier history (`DossierEvent`), supplement requests, ratings and the
answers to citizen reports. The queries are bounded by the official (indexes on the actor / giver
columns), never a scan of every dossier.
"""
from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q

from tinhso.dossiers.models import Complaint, DossierEvent, Handover, Rating, SupplementRequest
from tinhso.dossiers.states import Action
from tinhso.feedback.models import ReportEvent

from .periods import Period

RECEPTION_ACTIONS = (Action.RECEIVE, Action.REGISTER)


def _pct(num: int, den: int) -> Decimal | None:
    from .index766 import q2

    return q2(Decimal(num) * 100 / Decimal(den)) if den else None


def official_evaluation(user, period: Period) -> dict:
    """The figures of one official for a period:
    - dossiers handled (any action of theirs on a dossier in the period) and received at the desk;
    - steps handled (hand-overs they made on the processing control slip): early, on time, late;
    - supplement requests, refusals, approvals, results returned, apologies (re-appointments);
    - ratings and complaints, in the period, of the dossiers they ever acted on;
    - citizen reports answered, and answered by the report's due time."""
    start, end = period.bounds()
    in_period = {"at__gte": start, "at__lt": end}
    steps = dict(Handover.objects.filter(giver=user, **in_period).values("timeliness")
                 .annotate(n=Count("id")).order_by().values_list("timeliness", "n"))
    events = DossierEvent.objects.filter(actor=user, **in_period)
    actions = dict(events.values("action").annotate(n=Count("id")).order_by().values_list("action", "n"))
    handled = events.values("dossier_id").distinct().count()
    acted_on = DossierEvent.objects.filter(actor=user).values("dossier_id")
    ratings = dict(Rating.objects.filter(dossier_id__in=acted_on, created_at__gte=start, created_at__lt=end)
                   .values("level").annotate(n=Count("id")).order_by().values_list("level", "n"))
    complaints = Complaint.objects.filter(dossier_id__in=acted_on, created_at__gte=start, created_at__lt=end).count()
    answers = ReportEvent.objects.filter(actor=user, action="answered", **in_period).aggregate(
        n=Count("id"), on_time=Count("id", filter=Q(report__due_at__isnull=True) | Q(at__lte=F("report__due_at"))))
    early, on_time, late = (steps.get("early", 0), steps.get("on_time", 0), steps.get("late", 0))
    total_steps = early + on_time + late
    rated = sum(ratings.values())
    official = getattr(user, "official", None)
    return {
        "user_id": user.pk, "username": user.get_username(), "name": user.full_name or user.get_username(),
        "title": official.title if official else "",
        "agency": {"id": official.agency_id, "code": official.agency.code, "name": official.agency.name}
        if official else None,
        "period": period.key, "period_label": period.label,
        "dossiers_handled": handled,
        "dossiers_received": sum(actions.get(a, 0) for a in RECEPTION_ACTIONS),
        "steps": total_steps, "steps_early": early, "steps_on_time": on_time, "steps_late": late,
        "steps_on_time_rate": _pct(early + on_time, total_steps),
        "supplement_requests": SupplementRequest.objects.filter(requested_by=user, requested_at__gte=start,
                                                                requested_at__lt=end).count(),
        "refusals": actions.get(Action.REFUSE, 0),
        "approvals": actions.get(Action.APPROVE, 0),
        "returns": actions.get(Action.RETURN, 0),
        "apologies": actions.get(Action.APOLOGIZE, 0),
        "rated": rated, "rated_satisfied": ratings.get("satisfied", 0),
        "rated_acceptable": ratings.get("acceptable", 0), "rated_unsatisfied": ratings.get("unsatisfied", 0),
        "satisfaction_rate": _pct(ratings.get("satisfied", 0), rated),
        "complaints": complaints,
        "reports_answered": answers["n"], "reports_answered_on_time": answers["on_time"],
        "reports_on_time_rate": _pct(answers["on_time"], answers["n"]),
    }


def officials_table(agency, period: Period) -> list[dict]:
    """`official_evaluation` of every active official of an agency, by name."""
    from tinhso.people.models import User

    users = (User.objects.filter(kind="official", is_active=True, official__agency=agency)
             .select_related("official__agency").order_by("full_name", "username"))
    return [official_evaluation(u, period) for u in users]
