"""Reads of dossiers, always scoped by who is asking (see access.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone as dt_timezone

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.catalog.text import search_key
from tinhso.events.prebuilt import Rows, in_list
from tinhso.people.models import Role
from tinhso.places.models import Agency

from . import access, clock
from .models import Dossier, DossierStep, PaperUpload
from .states import Action, OPEN_STATES, PAUSED_STATES, State, TRANSITIONS
from .uploads import UPLOAD_TTL

_UPLOADS = Rows(PaperUpload, where="{token} = %s")  # paper_uploads_named gives an IN of its tokens


_AGENCY = Rows(Agency, where="{id} = %s")


INBOXES = ("new", "to_process", "to_approve", "to_return", "due_soon", "late", "paused", "all")


def dossiers_for_citizen(*, user) -> QuerySet[Dossier]:
    return access.dossiers_visible_to(user).filter(applicant=user).select_related("agency").order_by("-created_at")


def _official_base(user) -> QuerySet[Dossier]:
    return access.dossiers_visible_to(user)


def _box(*, user, box: str, now: datetime) -> Q:
    """The condition that puts a dossier in one box of an official's inbox (steps through subqueries:
    no join, so no duplicate rows and no DISTINCT)."""
    agency_id = access.agency_id_of(user)
    roles = access.roles_of(user)
    running = [State.RECEIVED, State.PROCESSING]
    active = DossierStep.objects.filter(status=DossierStep.Status.ACTIVE, agency_id=agency_id)
    if box == "new":
        return Q(state=State.SUBMITTED)
    if box == "to_process":
        mine = active.filter(role__in=list(roles))
        if Role.LEADER not in roles:
            mine = mine.filter(Q(assignee=user) | Q(assignee__isnull=True))
        return Q(state__in=running, pk__in=mine.values("dossier_id"))
    if box == "to_approve":
        return Q(state=State.PROCESSING, pk__in=active.filter(kind="approve").values("dossier_id"))
    if box == "to_return":
        return Q(state=State.FINISHED)
    if box == "due_soon":
        return Q(state__in=running, due_at__gt=now, due_at__lte=clock.warn_horizon(now))
    if box == "late":
        return Q(state__in=running, due_at__lte=now)
    if box == "paused":
        return Q(state__in=list(PAUSED_STATES))
    if box == "all":
        return Q()
    raise Http404(_("Không có hộp hồ sơ này."))


def inbox(*, user, box: str, now: datetime | None = None) -> QuerySet[Dossier]:
    """The dossiers of one box of an official's inbox."""
    now = now or timezone.now()
    return (_official_base(user).filter(_box(user=user, box=box, now=now))
            .select_related("agency", "assignee").order_by("due_at", "id"))


def inbox_counts(*, user, now: datetime | None = None) -> dict[str, int]:
    """The number of dossiers in each box, in one query."""
    now = now or timezone.now()
    boxes = [box for box in INBOXES if box != "all"]
    return _official_base(user).aggregate(**{box: Count("pk", filter=_box(user=user, box=box, now=now))
                                             for box in boxes})


INBOX_PROCEDURES_TTL = 600


def inbox_procedures(*, user) -> list[tuple[str, str]]:
    """(code, name) of the procedures among the dossiers an official sees: the inbox's filter list.
    Cached per agency for 10 minutes: finding them reads every dossier of the agency, which costs more
    than the rest of the inbox page (a procedure's first dossier may join the list a few minutes late)."""
    from django.core.cache import cache

    scope = "all" if access.sees_all_agencies(user) else access.agency_id_of(user)
    key = f"dossiers:inbox-procedures:{scope}"
    found = cache.get(key)
    if found is None:
        found = sorted(access.dossiers_visible_to(user).order_by().values_list("procedure_code", "procedure_name")
                       .distinct())
        cache.set(key, found, INBOX_PROCEDURES_TTL)
    return [tuple(x) for x in found]


def inbox_search(qs: QuerySet[Dossier], *, q: str = "", procedure: str = "", state: str = "",
                 date_from=None, date_to=None) -> QuerySet[Dossier]:
    q = (q or "").strip()
    if q:
        words = search_key(q).split()
        text = Q()
        for word in words:
            text &= Q(search_key__contains=word)
        qs = qs.filter(Q(code__icontains=q) | Q(applicant_cccd=q) | text)
    if procedure:
        qs = qs.filter(procedure_code=procedure)
    if state and state.isdigit():
        qs = qs.filter(state=int(state))
    if date_from:
        qs = qs.filter(received_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(received_at__date__lte=date_to)
    return qs


def timeliness(dossier: Dossier, *, now: datetime | None = None) -> str:
    """on_time | due_soon | late | paused | done_on_time | done_late (DOMAIN.md §8 'Late')."""
    now = now or timezone.now()
    if dossier.due_at is None:
        return "none"
    if dossier.finished_at:
        late = dossier.finished_at > dossier.due_at or dossier.supplement_count > 1
        return "done_late" if late else "done_on_time"
    if dossier.state in PAUSED_STATES:
        return "paused"
    if dossier.state not in OPEN_STATES:
        return "none"
    if dossier.due_at <= now or dossier.supplement_count > 1:
        return "late"
    if dossier.due_at <= clock.warn_horizon(now):
        return "due_soon"
    return "on_time"


def actions_for(*, user, dossier: Dossier) -> list[str]:
    """Exactly the actions this user may take on this dossier now (for buttons and the API)."""
    state = dossier.state
    possible = {a for (a, s) in TRANSITIONS if s == state}
    out: list[str] = []
    if access.is_owner(user, dossier):
        for a in (Action.SUPPLY, Action.PAY, Action.WITHDRAW):
            if a in possible:
                out.append(a)
        if state in (State.FINISHED, State.RETURNED) and not _has_rating(dossier):
            out.append(Action.RATE)
        if state not in (State.SUBMITTED,):
            out.append(Action.COMPLAIN)
        return out
    if getattr(user, "kind", "") != "official":
        return out
    roles = access.roles_of(user)
    step = dossier.steps.filter(status=DossierStep.Status.ACTIVE).first()
    step_agency = step.agency_id if step else dossier.agency_id
    mine = access.agency_id_of(user) in (dossier.agency_id, step_agency)
    if not mine:
        return out
    at_own_agency = access.agency_id_of(user) == dossier.agency_id
    if Role.RECEIVER in roles and at_own_agency:
        for a in (Action.RECEIVE, Action.REFUSE, Action.RETURN):
            if a in possible:
                out.append(a)
    step_role = step.role if step else None
    acts_on_step = step is not None and step_role in roles and access.agency_id_of(user) == step_agency
    if state in (State.RECEIVED, State.PROCESSING) and acts_on_step:
        if step.kind == "assign" or (Role.LEADER in roles and step.kind != "approve"):
            out.append(Action.ASSIGN)
        if step.kind in ("process", "forward"):
            out += [Action.SUBMIT_APPROVAL, Action.FORWARD]
        if step.kind in ("process", "receive", "assign") or step_role == Role.RECEIVER:
            out += [Action.REQUEST_SUPPLEMENT, Action.REQUEST_PAYMENT]
        if step.kind == "approve" and Role.LEADER in roles:
            out.append(Action.APPROVE)
    if Role.LEADER in roles and at_own_agency and state in (State.PROCESSING, State.SUPPLEMENT, State.PAYMENT):
        out.append(Action.STOP)
    if (at_own_agency and state in (State.RECEIVED, State.PROCESSING) and not dossier.reappointed
            and roles & {Role.LEADER, Role.SPECIALIST, Role.RECEIVER}):
        out.append(Action.APOLOGIZE)
    seen = set()
    return [a for a in out if not (a in seen or seen.add(a))]


def _has_rating(dossier: Dossier) -> bool:
    from .models import Rating

    return Rating.objects.filter(dossier=dossier).exists()


@dataclass
class PublicStep:
    name: str
    status: str
    due_at: datetime | None
    finished_at: datetime | None


@dataclass
class PublicTracking:
    code: str
    procedure_code: str
    procedure_name: str
    agency_name: str
    state: int
    state_label: str
    submitted_at: datetime | None
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    steps: list[PublicStep]


_TRACKING_SQL: str | None = None


def _tracking_sql() -> str:
    """One statement: the dossier, its agency's name and its steps (a row per step; one row with NULL steps
    before reception). Written out once per process: the public tracking page is the portal's most visited
    page, and building the two ORM queries it replaces cost 16 times what running them costs."""
    global _TRACKING_SQL
    if _TRACKING_SQL is None:
        from tinhso.places.models import Agency

        q = connection.ops.quote_name
        d, a, s = (q(m._meta.db_table) for m in (Dossier, Agency, DossierStep))
        _TRACKING_SQL = (
            f"SELECT d.id, d.code, d.procedure_code, d.procedure_name, a.name, d.state, d.submitted_at, "
            f"d.received_at, d.due_at, d.finished_at, d.returned_at, s.name, s.status, s.due_at, s.finished_at "
            f"FROM {d} d JOIN {a} a ON a.id = d.agency_id LEFT JOIN {s} s ON s.dossier_id = d.id "
            f"WHERE d.code = %s ORDER BY s.{q('order')}, s.id")
    return _TRACKING_SQL


def _aware(value: datetime | None) -> datetime | None:
    """A raw cursor gives SQLite's datetimes naive (stored in UTC); PostgreSQL's already aware."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt_timezone.utc)
    return value


def tracking_by_code(*, code: str) -> PublicTracking:
    """What anyone may know of a dossier from its code: state, dates, steps. No personal data."""
    with connection.cursor() as cur:
        cur.execute(_tracking_sql(), [code])
        rows = cur.fetchall()
    if not rows:
        raise Http404(_("Không tìm thấy hồ sơ có mã này."))
    first = rows[0]
    steps = [PublicStep(name=r[11], status=r[12], due_at=_aware(r[13]), finished_at=_aware(r[14]))
             for r in rows if r[11] is not None]
    return PublicTracking(
        code=first[1], procedure_code=first[2], procedure_name=first[3], agency_name=first[4], state=first[5],
        state_label=State(first[5]).label, submitted_at=_aware(first[6]), received_at=_aware(first[7]),
        due_at=_aware(first[8]), finished_at=_aware(first[9]), returned_at=_aware(first[10]), steps=steps,
    )


def register(*, user, date_from, date_to) -> QuerySet[Dossier]:
    """The agency's dossier register (sổ theo dõi hồ sơ) of a period, by reception date."""
    qs = _official_base(user).filter(received_at__isnull=False, received_at__date__gte=date_from,
                                     received_at__date__lte=date_to)
    return qs.select_related("agency").order_by("received_at", "code")


def warnings_for(*, user, unread_only: bool = False):
    from .models import Warning

    qs = Warning.objects.filter(recipient=user).select_related("dossier").order_by("-id")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def state_counts(*, user) -> dict[int, int]:
    return dict(_official_base(user).values_list("state").annotate(n=Count("id")).values_list("state", "n"))


def handling_agencies(*, procedure):
    """The agencies that can receive this procedure: every commune's UBND for a commune-level
    procedure, else the procedure's own agency (or every active agency of its kind)."""
    from tinhso.places.models import Agency

    if procedure.level == "commune":
        return Agency.objects.filter(kind="ubnd_xa", active=True, commune__isnull=False).select_related("commune").order_by("name")
    if procedure.agency_id:
        return Agency.objects.filter(pk=procedure.agency_id, active=True)
    return Agency.objects.filter(kind=procedure.agency_kind, active=True).order_by("name")


def _receives(procedure, agency) -> bool:
    """Whether `agency` is one of `handling_agencies(procedure=procedure)` (the same rule, on one row)."""
    if not agency.active:
        return False
    if procedure.level == "commune":
        return agency.kind == "ubnd_xa" and agency.commune_id is not None
    if procedure.agency_id:
        return agency.pk == procedure.agency_id
    return agency.kind == procedure.agency_kind


def handling_agency(*, procedure, agency_id: int | None):
    """The agency chosen by the citizen, if it may receive this procedure (else Http404)."""
    if agency_id is None:
        agencies = handling_agencies(procedure=procedure)
        if agencies.count() == 1:
            return agencies.get()
        raise Http404(_("Hãy chọn cơ quan (xã, phường) tiếp nhận hồ sơ."))
    agency = _AGENCY.first(agency_id)  # every submission asks: one row by key, the statement built once
    if agency is None or not _receives(procedure, agency):
        raise Http404(_("Cơ quan đã chọn không tiếp nhận thủ tục này."))
    return agency


def paper_uploads_sorted(*, owner, tokens: dict[str, list[str]]) -> tuple[dict[str, list], dict[str, list[str]]]:
    """The papers named per component, in one query: ({component key: [PaperUpload]} for the components whose
    tokens all name papers the owner uploaded within UPLOAD_TTL that no submission has taken yet, {component key:
    [message]} for the others: a token that is unknown, another user's, expired or already used (the same answer,
    so a token reveals nothing), or a paper already named for another component."""
    wanted = sorted({t for ts in tokens.values() for t in ts})
    found = {}
    if wanted and getattr(owner, "is_authenticated", False):
        # By token alone (its unique index; a condition on the owner could lead the planner to the owner's
        # index), then only the owner's papers still within UPLOAD_TTL.
        fresh_from = timezone.now() - UPLOAD_TTL
        found = {u.token: u for u in _UPLOADS.all(*wanted, where=f"{{token}} IN ({in_list(len(wanted))})")
                 if u.owner_id == owner.pk and u.created_at >= fresh_from}
    papers, errors, seen = {}, {}, set()
    for key, ts in tokens.items():
        if not ts:
            continue
        if any(t not in found for t in ts):
            errors[key] = [_("Tệp đã tải lên cho thành phần này không còn (quá 24 giờ, đã dùng cho hồ sơ khác, hoặc "
                             "không phải của bạn). Hãy tải lên lại.")]
        elif seen & set(ts):
            errors[key] = [_("Một tệp đã tải lên chỉ dùng được cho một thành phần hồ sơ.")]
        else:
            papers[key] = [found[t] for t in dict.fromkeys(ts)]
        seen.update(ts)
    return papers, errors


def paper_uploads_named(*, owner, tokens: dict[str, list[str]]) -> dict[str, list]:
    """{component key: [PaperUpload]} (see paper_uploads_sorted); ValidationError naming each `upload_<key>` whose
    tokens are not all such papers."""
    papers, errors = paper_uploads_sorted(owner=owner, tokens=tokens)
    if errors:
        raise ValidationError({f"upload_{key}": msgs for key, msgs in errors.items()})
    return papers


def officials_of_agency(*, agency_id: int, role: str | None = None):
    from tinhso.people.models import User

    qs = User.objects.filter(kind="official", is_active=True, official__agency_id=agency_id)
    if role:
        qs = qs.filter(official__roles__role=role)
    return qs.order_by("full_name").distinct()
