"""The only write path of citizen field reports. Every function is keyword-only, takes `actor`, runs in
one transaction and writes a ReportEvent (public for what the public may see) and a DomainEvent in it.
Side effects (e-mails) run with `transaction.on_commit`. Bad input raises ValidationError (a dict
keyed by field, in Vietnamese) and stores nothing."""
from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.events import batch
from tinhso.events.models import DomainEvent
from tinhso.events.services import event_record
from tinhso.people.models import OfficialRole, Role
from tinhso.places.models import Agency, Commune
from tinhso.workcal import selectors as workcal

from . import access, geo, hooks, photos as photo_tools, public_version, refcache, states
from .models import (ApiKey, Category, CategoryAttribute, DutyOfficer, Report, ReportEvent, ReportPhoto,
                     ReportSequence, RoutingRule)

log = logging.getLogger(__name__)
State = Report.State
MAX_DESCRIPTION = 4000
REOPEN_DAYS = 7


# --- helpers ---------------------------------------------------------------------------------------

def _actor_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def _event(report: Report, *, actor, action: str, from_state: str, note: str = "", at: datetime | None = None,
           data: dict | None = None, created: bool = False) -> ReportEvent:
    """The report's history row (public when the public may see it) and the domain event, in this transaction.
    `created`: `report` was inserted in this transaction (told to the hooks)."""
    ev = batch.insert(ReportEvent(
        report=report, actor=_actor_or_none(actor), at=at or timezone.now(), action=action, from_state=from_state,
        to_state=report.state, note=note, public=action in states.PUBLIC_ACTIONS))
    event_record(actor=actor, name=f"feedback.report_{action}", subject=report,
                 data={"public_id": report.public_id, "from": from_state, "to": report.state, **(data or {})})
    hooks.report_changed(report, created=created)  # e.g. scoring's rollups, in this same transaction
    if from_state in states.PUBLIC_STATES or report.state in states.PUBLIC_STATES:
        public_version.changed()  # the cached public pages and counts are stale (never on creation: not public)
    return ev


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("category").get(pk=report.pk)


def _number_sql(now: datetime) -> tuple[str, list, str]:
    """The statement taking the month's next report number: (sql returning `last`, params, period)."""
    period = timezone.localtime(now).strftime("%y%m")
    table = ReportSequence._meta.db_table
    sql = (f"INSERT INTO {table} (period, last) VALUES (%s, 1) "
           f"ON CONFLICT (period) DO UPDATE SET last = {table}.last + 1 RETURNING last")
    return sql, [period], period


NUMBER_SETTING = "tinhso.report_number"  # the session setting a one-round-trip creation keeps its number in


def _public_id(period: str, number: int) -> str:
    return f"PA-{period}-{number:06d}"


def _next_public_id(now: datetime) -> str:
    """`PA-YYMM-NNNNNN` inside the creation's transaction (SQLite, or a caller's transaction): the counter row
    stays locked until the creation commits, so numbers are gapless.

    On PostgreSQL outside a transaction (`report_create`'s one round trip) the number is taken instead in
    its own transaction committed without waiting for the disk (`synchronous_commit` off for that
    transaction only), so that the counter row is not locked through every creation's flush to disk
    (2–4 ms here: creations queued one behind the other, bench/reports_create.py). A crash cannot reuse a
    number: the report's own commit waits for the disk, and PostgreSQL flushes its log in order, so any
    report that survives a crash has its counter increment flushed before it. The price: a creation that
    fails after taking its number (a database error: every input is checked before) leaves a gap. Numbers
    stay unique and increasing."""
    sql, params, period = _number_sql(now)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        number = cur.fetchone()[0]
    return _public_id(period, number)


def _reference_guard(ref: refcache.Reference) -> None:
    """Inside a one-round-trip creation: write nothing if the categories or API keys changed since `ref` was
    read (the creation was checked against `ref`); the caller then checks again (refcache.Stale)."""
    if ref.token:
        batch.guard(refcache.GUARD_SQL, [ref.token])


def _mail_later(subject: str, body: str, recipients: Iterable[str]) -> None:
    to = sorted({r for r in recipients if r})
    if not to:
        return

    def send():
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)
        except Exception:  # an unreachable mail server must not break the report
            log.exception("feedback: e-mail %r not sent", subject)

    transaction.on_commit(send)


def _decimal(value, field: str, label: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("%(label)s phải là một số, ví dụ 21.592477.") % {"label": label})
        return None
    if not d.is_finite():
        errors.setdefault(field, []).append(_("%(label)s phải là một số, ví dụ 21.592477.") % {"label": label})
        return None
    return d.quantize(Decimal("0.000001"))


def _check_attributes(category: Category, attributes: dict, errors: dict,
                      ref: refcache.Reference | None = None) -> dict:
    """The answers to a category's questions (Open311 attributes), from any channel (Open311 POST, the
    portal's form, its offline queue): `{code: value}`, a list of keys for a multi-value list. Errors go
    to `errors["attribute[<code>]"]`; returns the answers as stored in Report.attributes. Blank answers
    (spaces only, empty list items) count as no answer; a datetime is stored as ISO 8601 with its offset
    (the province's zone when none was given)."""
    from django.utils.dateparse import parse_datetime

    clean: dict = {}
    for attr in (ref or refcache.current()).attributes_of(category.pk):
        value = attributes.get(attr.code)
        if isinstance(value, str):
            value = value.strip()
        elif isinstance(value, (list, tuple)):
            value = [v.strip() if isinstance(v, str) else v for v in value]
            value = [v for v in value if v not in (None, "")]
        empty = value in (None, "", [])
        if empty:
            if attr.required:
                errors.setdefault(f"attribute[{attr.code}]", []).append(
                    _("Hãy trả lời câu hỏi “%(q)s”.") % {"q": attr.description})
            continue
        if attr.datatype in (CategoryAttribute.Datatype.SINGLE, CategoryAttribute.Datatype.MULTI):
            keys = {str(v.get("key")) for v in attr.values}
            given = value if isinstance(value, list) else [value]
            given = [str(v) for v in given]
            if attr.datatype == CategoryAttribute.Datatype.SINGLE and len(given) > 1 or any(g not in keys for g in given):
                errors.setdefault(f"attribute[{attr.code}]", []).append(
                    _("Câu trả lời cho “%(q)s” không nằm trong các lựa chọn.") % {"q": attr.description})
                continue
            value = given if attr.datatype == CategoryAttribute.Datatype.MULTI else given[0]
        elif attr.datatype == CategoryAttribute.Datatype.NUMBER:
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite():
                errors.setdefault(f"attribute[{attr.code}]", []).append(
                    _("Câu trả lời cho “%(q)s” phải là một số.") % {"q": attr.description})
                continue
            value = str(value)
        elif attr.datatype == CategoryAttribute.Datatype.DATETIME:
            try:
                moment = parse_datetime(str(value))
            except ValueError:  # well formed but impossible, e.g. month 13
                moment = None
            if moment is None:
                errors.setdefault(f"attribute[{attr.code}]", []).append(
                    _("Câu trả lời cho “%(q)s” phải là ngày và giờ, ví dụ 2026-05-01T14:30.") % {"q": attr.description})
                continue
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, timezone.get_default_timezone())
            value = moment.isoformat()
        else:
            value = str(value)[:1000]
        clean[attr.code] = value
    return clean


def _user_email(user) -> str:
    return getattr(user, "email", "") or ""


def _leader_emails(agency_id: int | None) -> list[str]:
    if agency_id is None:
        return []
    return list(OfficialRole.objects.filter(
        official__agency_id=agency_id, role=Role.LEADER, official__user__is_active=True,
    ).values_list("official__user__email", flat=True))


def _coordinator_emails() -> list[str]:
    return list(OfficialRole.objects.filter(role=Role.PROVINCE_ADMIN, official__user__is_active=True)
                .values_list("official__user__email", flat=True))


def _route(category: Category, commune_id: str | None) -> Agency | None:
    """The handling agency: the rule for this category and commune, else the category's default rule."""
    rules = {r.commune_id: r.agency for r in RoutingRule.objects.filter(category=category).select_related("agency")
             if r.commune_id is None or r.commune_id == commune_id}
    agency = rules.get(commune_id) if commune_id else None
    agency = agency or rules.get(None)
    return agency if agency is not None and agency.active else None


# --- creation --------------------------------------------------------------------------------------

def report_create(**kwargs) -> Report:
    """A citizen's report: see `_report_create` for the arguments.

    The caller may pass reference data kept by its process without a check (`refcache.kept()`): the write
    then refuses it if it has changed meanwhile (refcache.Stale, nothing written), and a refusal by the
    checks is re-examined if it has. In both cases the report is checked once more against the data the
    database holds now: a key revoked meanwhile is refused, a question added meanwhile is asked."""
    try:
        return _report_create(**kwargs)
    except ValidationError:
        ref = kwargs.get("reference")
        if ref is None or refcache.is_current(ref):
            raise
    except refcache.Stale:
        pass
    fresh = refcache.current()
    again = dict(kwargs, reference=fresh)
    if isinstance(again.get("category"), Category):
        again["category"] = again["category"].code
    if again.get("api_key") is not None:
        again["api_key"] = fresh.api_key(again["api_key"].key_hash)
    return _report_create(**again)


def _report_create(*, actor, category, description: str, lat=None, long=None, address: str = "", commune=None,
                  urgency: str = "normal", photos: Iterable = (), attributes: dict | None = None,
                  reporter_name: str = "", reporter_email: str = "", reporter_phone: str = "",
                  device_id: str = "", account_id: str = "", via: str = "web", api_key: ApiKey | None = None,
                  dossier=None, media_url: str = "", reference: refcache.Reference | None = None) -> Report:
    """A citizen's report. `category` is a Category or its code; `commune` a Commune or its code.
    `reference`: the categories and keys the caller already has for this request (`refcache.current()`, or
    `refcache.kept()`: see `report_create`), to spare a second read.

    From the web the actor must be a signed-in user (the reporter); through Open311 (`via="open311"`) an
    active `api_key` is required and the reporter is whoever the client names. Location: a point inside
    the province (lat and long together), or an address, or a commune. Photos: at most 5 images, each
    at most 10 MB, re-encoded to JPEG without metadata. Raises ValidationError (by field); stores nothing
    on failure."""
    errors: dict[str, list[str]] = {}
    user = actor if getattr(actor, "is_authenticated", False) else None
    if via == "open311":
        if api_key is None or not api_key.active:
            raise PermissionDenied(_("Khóa API không hợp lệ hoặc đã bị thu hồi."))
    elif user is None:
        raise PermissionDenied(_("Hãy đăng nhập để gửi phản ánh."))

    # category (and its questions): from the reference data kept in this process, checked against the
    # database's stamp (refcache.py)
    ref = reference or refcache.current()
    cat = category
    if not isinstance(cat, Category):
        cat = ref.category(str(category or "").strip())
    if cat is None or not cat.active:
        errors.setdefault("category", []).append(_("Hãy chọn lĩnh vực phản ánh trong danh sách."))

    # description
    text = (description or "").strip()
    if not text:
        errors.setdefault("description", []).append(_("Hãy mô tả sự việc bạn phản ánh."))
    elif len(text) > MAX_DESCRIPTION:
        errors.setdefault("description", []).append(
            _("Nội dung phản ánh dài %(n)s ký tự: hãy rút gọn còn tối đa 4.000 ký tự.") % {"n": f"{len(text):,}".replace(",", ".")})

    # location
    lat_d = _decimal(lat, "lat", _("Vĩ độ"), errors)
    long_d = _decimal(long, "long", _("Kinh độ"), errors)
    if (lat_d is None) != (long_d is None) and "lat" not in errors and "long" not in errors:
        errors.setdefault("lat" if lat_d is None else "long", []).append(
            _("Hãy nhập cả vĩ độ và kinh độ (hoặc để trống cả hai)."))
    elif lat_d is not None and long_d is not None and not geo.inside_province(lat_d, long_d):
        errors.setdefault("lat", []).append(
            _("Vị trí (%(lat)s, %(long)s) nằm ngoài địa bàn tỉnh: hãy chọn lại vị trí hoặc chọn xã, phường.")
            % {"lat": lat_d, "long": long_d})
    address = (address or "").strip()
    if len(address) > 300:
        errors.setdefault("address", []).append(_("Địa chỉ dài quá 300 ký tự: hãy rút gọn."))
    com = commune
    if com not in (None, "") and not isinstance(com, Commune):
        com = Commune.objects.filter(code=str(commune).strip()).first()
        if com is None:
            errors.setdefault("commune", []).append(_("Hãy chọn xã, phường trong danh sách."))
    if isinstance(com, Commune) and com.province_id != settings.PROVINCE_CODE:
        errors.setdefault("commune", []).append(_("Xã, phường này không thuộc địa bàn tỉnh."))
    if not isinstance(com, Commune):
        com = None
    if lat_d is None and not address and com is None and not any(k in errors for k in ("lat", "long", "commune")):
        errors.setdefault("location", []).append(
            _("Hãy cho biết vị trí: dùng vị trí hiện tại, nhập tọa độ, ghi địa chỉ hoặc chọn xã, phường."))

    if urgency not in Report.Urgency.values:
        errors.setdefault("urgency", []).append(_("Hãy chọn mức độ: bình thường hoặc khẩn cấp."))

    # reporter contact (Open311 clients send them; from the web they come from the account)
    if user is not None and via != "open311":
        reporter_name = reporter_name or getattr(user, "full_name", "") or ""
        reporter_email = reporter_email or _user_email(user)
        reporter_phone = reporter_phone or getattr(user, "phone", "") or ""
    for field, value, limit in (("reporter_name", reporter_name, 150), ("reporter_phone", reporter_phone, 20),
                                ("device_id", device_id, 100), ("account_id", account_id, 100)):
        if len(value or "") > limit:
            errors.setdefault(field, []).append(_("Giá trị dài quá %(n)s ký tự.") % {"n": limit})
    if reporter_email:
        from django.core.validators import validate_email
        try:
            validate_email(reporter_email)
        except ValidationError:
            errors.setdefault("reporter_email", []).append(_("Địa chỉ thư điện tử không hợp lệ, ví dụ ten@example.vn."))

    # the dossier this report complains about: only the applicant's own
    if dossier is not None and (user is None or getattr(dossier, "applicant_id", None) != user.pk):
        errors.setdefault("dossier", []).append(_("Bạn chỉ có thể phản ánh về hồ sơ do chính bạn nộp."))

    clean_attributes = _check_attributes(cat, attributes or {}, errors, ref) if cat is not None else {}

    # photos: checked and re-encoded before anything is written
    uploads = [p for p in (photos or ()) if p]
    clean_photos = []
    if len(uploads) > photo_tools.MAX_PHOTOS:
        errors.setdefault("photos", []).append(_("Chỉ gửi được tối đa 5 ảnh: hãy bỏ bớt %(n)s ảnh.")
                                               % {"n": len(uploads) - photo_tools.MAX_PHOTOS})
    else:
        for up in uploads:
            try:
                clean_photos.append(photo_tools.reencode(up))
            except ValidationError as exc:
                errors.setdefault("photos", []).extend(exc.messages)

    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    fields = dict(
        category=cat, description=text, attributes=clean_attributes, lat=lat_d, long=long_d, address=address,
        commune=com, urgency=urgency, state=State.NEW, reporter=user if via != "open311" else None,
        reporter_name=(reporter_name or "").strip(), reporter_email=(reporter_email or "").strip(),
        reporter_phone=(reporter_phone or "").strip(), device_id=device_id or "", account_id=account_id or "",
        via=via, api_key=api_key, dossier=dossier, media_url=(media_url or "")[:500])
    note = _("Phản ánh được gửi (%(via)s).") % {"via": via}
    if batch.available():
        # PostgreSQL, not inside a caller's transaction: ONE round trip (tinhso.events.batch). The number in
        # its own transaction committed without waiting for the disk (see _next_public_id), left in a session
        # setting; then the report (its public id built from that setting), its photos, its history, the domain
        # event and the hooks' rows in one transaction, which writes nothing if the categories or keys changed
        # since they were checked (refcache.GUARD_SQL).
        sql, params, period = _number_sql(now)
        first = (f"WITH taken AS ({sql}) SELECT set_config('{NUMBER_SETTING}', taken.last::text, false), taken.last "
                 f"FROM taken", params)
        number = f"current_setting('{NUMBER_SETTING}')"
        try:
            with batch.one_round_trip(first=first, ids_for=(Report,)) as trip:
                _reference_guard(ref)
                report = _write_new_report(batch.Sql(f"'PA-{period}-' || lpad({number}, greatest(6, length({number})), '0')"),
                                           fields, clean_photos, user, now, note, urgency)
        except DatabaseError as exc:
            if refcache.is_stale_error(exc):
                raise refcache.Stale() from None
            raise
        report.public_id = _public_id(period, trip.first_row[1])
    else:
        with transaction.atomic():
            if ref.token and not refcache.is_current(ref):  # under the write lock (SQLite) or the caller's transaction
                raise refcache.Stale()
            report = _write_new_report(_next_public_id(now), fields, clean_photos, user, now, note, urgency)
    if urgency == Report.Urgency.URGENT and com is not None:
        _alert_duty_officers(report)  # after the commit (or in the caller's transaction): mail on commit
    return report


def _write_new_report(public_id: str, fields: dict, photos: list, user, now: datetime, note: str,
                      urgency: str) -> Report:
    report = batch.insert(Report(public_id=public_id, **fields))
    for content, width, height in photos:
        batch.insert(ReportPhoto(report=report, file=content, width=width, height=height))
    _event(report, actor=user, action="created", from_state="", at=now, note=note, data={"urgency": urgency},
           created=True)
    return report


def _alert_duty_officers(report: Report) -> None:
    emails = DutyOfficer.objects.filter(commune=report.commune, active=True, user__is_active=True).values_list(
        "user__email", flat=True)
    subject = _("[Khẩn] Phản ánh %(id)s tại %(commune)s") % {"id": report.public_id, "commune": report.commune.name}
    body = _("Có phản ánh khẩn cấp thuộc lĩnh vực “%(cat)s” tại %(commune)s:\n\n%(text)s\n\n"
             "Địa chỉ: %(address)s\nTọa độ: %(lat)s, %(long)s\n") % {
        "cat": report.category.name, "commune": report.commune.name, "text": report.description[:1000],
        "address": report.address or "—", "lat": report.lat or "—", "long": report.long or "—"}
    _mail_later(subject, body, list(emails))


# --- the coordinator -------------------------------------------------------------------------------

def _due(report: Report):
    """The answer is due N working days (the category's limit) after the report was received."""
    rule = workcal.TimeLimit(kind="working_days", amount=report.category.deadline_working_days)
    return workcal.due_at(received_at=report.created_at, rule=rule).due_at


@transaction.atomic
def report_accept(*, actor, report: Report, commune: Commune | None = None) -> Report:
    """The coordinator accepts a new report; it is routed (category × commune → agency) and its due time
    fixed. Without a matching rule it stays accepted until the coordinator re-routes it by hand."""
    access.require_coordinator(actor)
    report = _locked(report)
    states.check("accept", report)
    if commune is not None and report.commune_id is None:
        report.commune = commune
    now = timezone.now()
    before = report.state
    report.state = State.ACCEPTED
    report.accepted_at = now
    report.due_at = _due(report)
    report.save(update_fields=["state", "accepted_at", "due_at", "commune", "updated_at"])
    _event(report, actor=actor, action="accepted", from_state=before, at=now,
           note=_("Đã tiếp nhận phản ánh; hạn xử lý %(due)s.") % {
               "due": timezone.localtime(report.due_at).strftime("%H:%M %d/%m/%Y")})
    agency = _route(report.category, report.commune_id)
    if agency is not None:
        _assign(report, actor=actor, agency=agency, at=now)
    return report


def _assign(report: Report, *, actor, agency: Agency, at: datetime, action: str = "assigned") -> None:
    before = report.state
    report.state = State.ASSIGNED
    report.agency = agency
    report.save(update_fields=["state", "agency", "updated_at"])
    _event(report, actor=actor, action=action, from_state=before, at=at,
           note=_("Chuyển %(agency)s xử lý.") % {"agency": agency.name}, data={"agency": agency.code})
    _mail_later(_("Phản ánh %(id)s được chuyển đến cơ quan") % {"id": report.public_id},
                _("Phản ánh %(id)s (“%(cat)s”) được chuyển đến %(agency)s, hạn xử lý %(due)s.") % {
                    "id": report.public_id, "cat": report.category.name, "agency": agency.name,
                    "due": timezone.localtime(report.due_at).strftime("%H:%M %d/%m/%Y") if report.due_at else "—"},
                _leader_emails(agency.pk))


@transaction.atomic
def report_reroute(*, actor, report: Report, agency: Agency) -> Report:
    """The coordinator sends the report to another agency (or assigns one when no rule matched)."""
    access.require_coordinator(actor)
    report = _locked(report)
    states.check("reroute", report)
    if agency is None or not agency.active:
        raise ValidationError({"agency": [_("Hãy chọn một cơ quan đang hoạt động.")]})
    if report.agency_id == agency.pk and report.state == State.ASSIGNED:
        raise ValidationError({"agency": [_("Phản ánh đã được giao cho cơ quan này: hãy chọn cơ quan khác.")]})
    _assign(report, actor=actor, agency=agency, at=timezone.now())
    return report


@transaction.atomic
def report_reject(*, actor, report: Report, reason: str, note: str, duplicate_of: Report | None = None) -> Report:
    """The coordinator declines the report (duplicate, outside the remit, not enough information), with a reason."""
    access.require_coordinator(actor)
    report = _locked(report)
    states.check("reject", report)
    errors: dict[str, list[str]] = {}
    if reason not in Report.RejectReason.values:
        errors["reason"] = [_("Hãy chọn lý do không tiếp nhận.")]
    note = (note or "").strip()
    if not note:
        errors["note"] = [_("Hãy ghi rõ lý do để người phản ánh biết.")]
    if reason == Report.RejectReason.DUPLICATE:
        if duplicate_of is None:
            errors["duplicate_of"] = [_("Hãy nhập mã phản ánh đã có mà phản ánh này trùng với.")]
        elif duplicate_of.pk == report.pk:
            errors["duplicate_of"] = [_("Một phản ánh không thể trùng với chính nó.")]
    if errors:
        raise ValidationError(errors)
    before = report.state
    report.state = State.REJECTED
    report.reject_reason = reason
    report.reject_note = note
    report.duplicate_of = duplicate_of if reason == Report.RejectReason.DUPLICATE else None
    report.closed_at = timezone.now()
    report.save(update_fields=["state", "reject_reason", "reject_note", "duplicate_of", "closed_at", "updated_at"])
    text = f"{report.get_reject_reason_display()}: {note}"
    if report.duplicate_of:
        text += " " + _("(trùng với %(id)s)") % {"id": report.duplicate_of.public_id}
    _event(report, actor=actor, action="rejected", from_state=before, note=text)
    _mail_later(_("Phản ánh %(id)s không được tiếp nhận") % {"id": report.public_id}, text, [report.reporter_email])
    return report


@transaction.atomic
def photo_hide(*, actor, photo: ReportPhoto, hidden: bool = True) -> ReportPhoto:
    """The coordinator hides (or shows again) a photo, e.g. one showing a face or a licence plate."""
    access.require_coordinator(actor)
    photo = ReportPhoto.objects.select_for_update().get(pk=photo.pk)
    photo.hidden = hidden
    photo.save(update_fields=["hidden"])
    report = photo.report
    _event(report, actor=actor, action="photo_hidden" if hidden else "photo_shown", from_state=report.state,
           note=_("Ảnh số %(n)s đã bị ẩn.") % {"n": photo.pk} if hidden else _("Ảnh số %(n)s được hiện lại.") % {"n": photo.pk},
           data={"photo": photo.pk})
    return photo


# --- the handling agency ---------------------------------------------------------------------------

@transaction.atomic
def report_start(*, actor, report: Report) -> Report:
    report = _locked(report)
    access.require_handler(actor, report)
    states.check("start", report)
    before = report.state
    report.state = State.IN_PROGRESS
    report.save(update_fields=["state", "updated_at"])
    _event(report, actor=actor, action="in_progress", from_state=before, note=_("Cơ quan đang xử lý."))
    return report


@transaction.atomic
def report_answer(*, actor, report: Report, answer: str) -> Report:
    """The agency's public answer."""
    report = _locked(report)
    access.require_handler(actor, report)
    states.check("answer", report)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": [_("Hãy ghi nội dung trả lời.")]})
    if len(answer) > 8000:
        raise ValidationError({"answer": [_("Nội dung trả lời dài quá 8.000 ký tự: hãy rút gọn.")]})
    before = report.state
    now = timezone.now()
    report.state = State.ANSWERED
    report.answer = answer
    report.answered_at = now
    report.save(update_fields=["state", "answer", "answered_at", "updated_at"])
    _event(report, actor=actor, action="answered", from_state=before, at=now, note=answer[:1000])
    _mail_later(_("Phản ánh %(id)s đã được trả lời") % {"id": report.public_id},
                _("Cơ quan đã trả lời phản ánh %(id)s:\n\n%(a)s\n\nBạn có thể đánh giá câu trả lời, hoặc phản ánh lại "
                  "trong 7 ngày nếu chưa hài lòng.") % {"id": report.public_id, "a": answer},
                [report.reporter_email])
    return report


# --- the reporter ----------------------------------------------------------------------------------

@transaction.atomic
def report_close(*, actor, report: Report) -> Report:
    """The reporter (or the coordinator) closes an answered report."""
    report = _locked(report)
    if not (access.is_reporter(actor, report) or access.is_coordinator(actor)):
        raise PermissionDenied(_("Chỉ người gửi phản ánh hoặc điều phối viên được đóng phản ánh."))
    states.check("close", report)
    before = report.state
    report.state = State.CLOSED
    report.closed_at = timezone.now()
    report.save(update_fields=["state", "closed_at", "updated_at"])
    _event(report, actor=actor, action="closed", from_state=before, note=_("Phản ánh đã đóng."))
    return report


@transaction.atomic
def report_rate(*, actor, report: Report, rating: str, comment: str = "") -> Report:
    """The reporter rates the answer (again after a new answer). A satisfied rating closes the report."""
    report = _locked(report)
    access.require_reporter(actor, report)
    states.check("rate", report)
    if rating not in Report.Rating.values:
        raise ValidationError({"rating": [_("Hãy chọn mức: hài lòng, chấp nhận được hoặc không hài lòng.")]})
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": [_("Nhận xét dài quá 2.000 ký tự: hãy rút gọn.")]})
    before = report.state
    report.rating = rating
    report.rating_comment = comment
    fields = ["rating", "rating_comment", "updated_at"]
    if rating != Report.Rating.UNSATISFIED and report.state == State.ANSWERED:
        report.state = State.CLOSED
        report.closed_at = timezone.now()
        fields += ["state", "closed_at"]
    report.save(update_fields=fields)
    _event(report, actor=actor, action="rated", from_state=before,
           note=_("Đánh giá: %(r)s") % {"r": report.get_rating_display()}, data={"rating": rating})
    if report.state != before:
        _event(report, actor=actor, action="closed", from_state=before, note=_("Người phản ánh hài lòng; phản ánh đã đóng."))
    return report


@transaction.atomic
def report_reopen(*, actor, report: Report, reason: str) -> Report:
    """The reporter, not satisfied, reopens the report within 7 days of the answer: it goes back to the
    same agency with a new due time."""
    report = _locked(report)
    access.require_reporter(actor, report)
    states.check("reopen", report)
    now = timezone.now()
    if report.answered_at is None or now > report.answered_at + timedelta(days=REOPEN_DAYS):
        raise ValidationError(_("Chỉ phản ánh lại được trong 7 ngày kể từ khi có câu trả lời."))
    if report.rating == Report.Rating.SATISFIED:
        raise ValidationError(_("Bạn đã đánh giá hài lòng với câu trả lời này nên không thể phản ánh lại."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Hãy ghi vì sao bạn chưa hài lòng với câu trả lời.")]})
    if len(reason) > 2000:
        raise ValidationError({"reason": [_("Lý do dài quá 2.000 ký tự: hãy rút gọn.")]})
    before = report.state
    report.state = State.ASSIGNED
    report.reopened_count += 1
    report.closed_at = None
    report.rating = report.rating or Report.Rating.UNSATISFIED
    rule = workcal.TimeLimit(kind="working_days", amount=report.category.deadline_working_days)
    report.due_at = workcal.due_at(received_at=now, rule=rule).due_at
    report.warned_due_soon = report.warned_late = False
    report.save(update_fields=["state", "reopened_count", "closed_at", "rating", "due_at", "warned_due_soon",
                               "warned_late", "updated_at"])
    _event(report, actor=actor, action="reopened", from_state=before, at=now, note=reason[:1000])
    _mail_later(_("Phản ánh %(id)s được phản ánh lại") % {"id": report.public_id},
                _("Người phản ánh chưa hài lòng với câu trả lời:\n\n%(r)s") % {"r": reason}, _leader_emails(report.agency_id))
    return report


# --- API keys ----------------------------------------------------------------------------------------

def apikey_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def apikey_create(*, actor, name: str) -> tuple[ApiKey, str]:
    """A new Open311 API key; the raw key is returned once and only its SHA-256 is stored."""
    if actor is not None:
        access.require_coordinator(actor)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": [_("Hãy đặt tên cho khóa API (tối đa 100 ký tự), ví dụ tên ứng dụng.")]})
    raw = "ts_" + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(name=name, key_hash=apikey_hash(raw))
    event_record(actor=actor, name="feedback.apikey_created", subject=key, data={"name": name})
    return key, raw


@transaction.atomic
def apikey_revoke(*, actor, key: ApiKey) -> ApiKey:
    """The coordinator revokes an Open311 API key: requests signed with it are refused from now on."""
    access.require_coordinator(actor)
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if not key.active:
        raise ValidationError(_("Khóa API “%(name)s” đã bị thu hồi trước đó.") % {"name": key.name})
    key.active = False
    key.save(update_fields=["active"])
    event_record(actor=actor, name="feedback.apikey_revoked", subject=key, data={"name": key.name})
    return key


# --- duty officers -----------------------------------------------------------------------------------

@transaction.atomic
def dutyofficer_assign(*, actor, commune: Commune | None, user) -> DutyOfficer:
    """The coordinator puts an official on duty for a commune: alerted by e-mail of its urgent reports."""
    access.require_coordinator(actor)
    errors: dict[str, list[str]] = {}
    if commune is None or commune.province_id != settings.PROVINCE_CODE:
        errors["commune"] = [_("Hãy chọn xã, phường thuộc địa bàn tỉnh.")]
    if user is None or access.official_of(user) is None:
        errors["user"] = [_("Hãy chọn một cán bộ đang làm việc.")]
    elif not user.email:
        errors["user"] = [_("Cán bộ này chưa có thư điện tử nên không nhận được cảnh báo: hãy bổ sung trước.")]
    if errors:
        raise ValidationError(errors)
    duty, created = DutyOfficer.objects.select_for_update().get_or_create(commune=commune, user=user)
    if not created and duty.active:
        raise ValidationError({"user": [_("Cán bộ này đã trực cho xã, phường này.")]})
    if not created:
        duty.active = True
        duty.save(update_fields=["active"])
    event_record(actor=actor, name="feedback.duty_assigned", subject=duty,
                 data={"commune": commune.code, "user": user.pk})
    return duty


@transaction.atomic
def dutyofficer_remove(*, actor, duty: DutyOfficer) -> None:
    """The coordinator takes an official off duty for a commune."""
    access.require_coordinator(actor)
    event_record(actor=actor, name="feedback.duty_removed", subject=duty,
                 data={"commune": duty.commune_id, "user": duty.user_id})
    duty.delete()


# --- categories --------------------------------------------------------------------------------------

ATTRIBUTE_DATATYPES = (CategoryAttribute.Datatype.STRING, CategoryAttribute.Datatype.NUMBER,
                       CategoryAttribute.Datatype.TEXT, CategoryAttribute.Datatype.SINGLE)


RESERVED_CATEGORY_CODES = ("them",)  # /phan-anh/quan-tri/linh-vuc/them/ is the "new category" page


def _parse_values(text: str) -> list[dict]:
    """Choices written one a line as `key: name` (or just `name`, the key being its position)."""
    values = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        key, sep, name = line.partition(":")
        values.append({"key": key.strip(), "name": name.strip()} if sep and name.strip() else {"key": str(n), "name": line})
    return values


@transaction.atomic
def category_save(*, actor, category: Category | None = None, code: str, name: str, description: str = "",
                  deadline_working_days, active: bool = True) -> Category:
    """The coordinator creates (category None) or edits a category: its code (Open311 service_code, fixed
    once reports use it), name, description, deadline in working days (1–90) and whether it is offered."""
    from django.utils.text import slugify

    access.require_coordinator(actor)
    errors: dict[str, list[str]] = {}
    code = (code or "").strip().lower()
    if not code or slugify(code) != code or len(code) > 40:
        errors["code"] = [_("Mã lĩnh vực chỉ gồm chữ thường không dấu, số và dấu gạch ngang (tối đa 40 ký tự), ví dụ giao-thong.")]
    elif code in RESERVED_CATEGORY_CODES:
        errors["code"] = [_("Mã “%(code)s” được hệ thống dùng riêng: hãy chọn mã khác.") % {"code": code}]
    elif Category.objects.filter(code=code).exclude(pk=getattr(category, "pk", None)).exists():
        errors["code"] = [_("Mã lĩnh vực “%(code)s” đã được dùng: hãy chọn mã khác.") % {"code": code}]
    elif category is not None and category.code != code and category.reports.exists():
        errors["code"] = [_("Lĩnh vực đã có phản ánh nên không đổi được mã (các ứng dụng Open311 đang dùng mã này).")]
    name = (name or "").strip()
    if not name or len(name) > 200:
        errors["name"] = [_("Hãy nhập tên lĩnh vực (tối đa 200 ký tự).")]
    try:
        days = int(str(deadline_working_days).strip())
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 90:
        errors["deadline_working_days"] = [_("Thời hạn xử lý phải là số ngày làm việc từ 1 đến 90, ví dụ 15.")]
    if errors:
        raise ValidationError(errors)
    created = category is None
    if created:
        category = Category(position=(Category.objects.order_by("-position").values_list("position", flat=True).first() or 0) + 1)
    else:
        category = Category.objects.select_for_update().get(pk=category.pk)
    category.code, category.name, category.description = code, name, (description or "").strip()
    category.deadline_working_days, category.active = days, bool(active)
    category.save()
    event_record(actor=actor, name="feedback.category_created" if created else "feedback.category_changed",
                 subject=category, data={"code": code, "deadline_working_days": days, "active": category.active})
    public_version.changed()  # category names are on the public pages
    return category


@transaction.atomic
def category_attribute_add(*, actor, category: Category, code: str, question: str, datatype: str = "string",
                           required: bool = False, values_text: str = "") -> CategoryAttribute:
    """An extra question of a category (Open311 attribute): string, number, text, or one choice among
    `values_text` (one a line, `key: name`)."""
    from django.utils.text import slugify

    access.require_coordinator(actor)
    errors: dict[str, list[str]] = {}
    code = (code or "").strip().lower()
    if not code or slugify(code) != code or len(code) > 40:
        errors["code"] = [_("Mã câu hỏi chỉ gồm chữ thường không dấu, số và dấu gạch ngang, ví dụ muc-do.")]
    elif CategoryAttribute.objects.filter(category=category, code=code).exists():
        errors["code"] = [_("Lĩnh vực đã có câu hỏi mã “%(code)s”.") % {"code": code}]
    question = (question or "").strip()
    if not question or len(question) > 300:
        errors["question"] = [_("Hãy nhập câu hỏi (tối đa 300 ký tự).")]
    if datatype not in ATTRIBUTE_DATATYPES:
        errors["datatype"] = [_("Hãy chọn kiểu câu trả lời trong danh sách.")]
    values = _parse_values(values_text) if datatype == CategoryAttribute.Datatype.SINGLE else []
    if datatype == CategoryAttribute.Datatype.SINGLE and len(values) < 2:
        errors["values_text"] = [_("Câu hỏi chọn một phải có ít nhất 2 lựa chọn, mỗi lựa chọn một dòng.")]
    if errors:
        raise ValidationError(errors)
    order = (CategoryAttribute.objects.filter(category=category).order_by("-order").values_list("order", flat=True).first() or 0) + 1
    attr = CategoryAttribute.objects.create(category=category, code=code, description=question, datatype=datatype,
                                            required=bool(required), values=values, order=order)
    event_record(actor=actor, name="feedback.category_attribute_added", subject=category,
                 data={"code": code, "datatype": datatype, "required": bool(required)})
    return attr


@transaction.atomic
def category_attribute_delete(*, actor, attribute: CategoryAttribute) -> None:
    access.require_coordinator(actor)
    event_record(actor=actor, name="feedback.category_attribute_deleted", subject=attribute.category,
                 data={"code": attribute.code})
    attribute.delete()


# --- routing table -----------------------------------------------------------------------------------

@transaction.atomic
def route_set(*, actor, category: Category, commune: Commune | None, agency: Agency) -> RoutingRule:
    """The coordinator sets which agency handles a category (in a commune, or everywhere when commune is None)."""
    if actor is not None:
        access.require_coordinator(actor)
    if agency is None or not agency.active:
        raise ValidationError({"agency": [_("Hãy chọn một cơ quan đang hoạt động.")]})
    rule, _created = RoutingRule.objects.update_or_create(category=category, commune=commune, defaults={"agency": agency})
    event_record(actor=actor, name="feedback.route_set", subject=rule,
                 data={"category": category.code, "commune": commune.code if commune else None, "agency": agency.code})
    return rule


@transaction.atomic
def route_delete(*, actor, rule: RoutingRule) -> None:
    access.require_coordinator(actor)
    event_record(actor=actor, name="feedback.route_deleted", subject=rule,
                 data={"category": rule.category.code, "commune": rule.commune_id})
    rule.delete()


# --- warnings ----------------------------------------------------------------------------------------

def reports_warnings_sweep(*, now: datetime | None = None) -> dict:
    """Due-soon (within one working day) and late warnings for open reports, like dossiers': the leaders
    of the handling agency (the coordinators when none is assigned yet) get an e-mail, once: the
    `warned_*` flags make a second run send nothing."""
    now = now or timezone.now()
    horizon = workcal.current_calendar().add_working(now, timedelta(hours=8))
    counts = {"due_soon": 0, "late": 0}
    base = Report.objects.filter(state__in=states.OPEN_STATES, due_at__isnull=False)
    for kind, qs in (("late", base.filter(due_at__lte=now, warned_late=False)),
                     ("due_soon", base.filter(due_at__gt=now, due_at__lte=horizon, warned_due_soon=False))):
        while True:
            with transaction.atomic():
                batch = list(qs.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
                             .select_related("category")[:500])
                if not batch:
                    break
                for report in batch:
                    update = {"warned_late": True, "warned_due_soon": True} if kind == "late" else {"warned_due_soon": True}
                    Report.objects.filter(pk=report.pk).update(**update)
                    due = timezone.localtime(report.due_at).strftime("%H:%M %d/%m/%Y")
                    note = (_("Phản ánh đã quá hạn xử lý (hạn %(due)s).") if kind == "late"
                            else _("Phản ánh sắp đến hạn xử lý (hạn %(due)s).")) % {"due": due}
                    ReportEvent.objects.create(report=report, actor=None, at=now, action=f"warned_{kind}",
                                               from_state=report.state, to_state=report.state, note=note, public=False)
                    event_record(actor=None, name=f"feedback.report_warned_{kind}", subject=report,
                                 data={"public_id": report.public_id, "due_at": report.due_at.isoformat()})
                    recipients = _leader_emails(report.agency_id) if report.agency_id else _coordinator_emails()
                    _mail_later(_("[%(kind)s] Phản ánh %(id)s") % {
                        "kind": _("Quá hạn") if kind == "late" else _("Sắp đến hạn"), "id": report.public_id},
                        note + "\n\n" + report.category.name + ": " + report.description[:500], recipients)
                    counts[kind] += 1
    return counts


# The demo categories and routing live in their own module; re-exported so callers use services.
from .demo_data import demo_feedback_load  # noqa: E402,F401
