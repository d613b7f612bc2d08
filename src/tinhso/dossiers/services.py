"""The only write path of dossiers. Each function runs in one transaction, checks who may act, moves
the state through the table in `states.py`, and writes a DossierEvent in the same transaction."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.events import batch
from tinhso.events.services import event_record
from tinhso.people.models import Role
from tinhso.places import selectors as places_selectors

from . import access, clock, hooks
from .idempotency import KEY_TTL, Idempotency, IdempotencyKeyMismatch, IdempotentReplay
from .models import (
    Apology,
    Complaint,
    DailySequence,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierStep,
    Handover,
    IdempotencyKey,
    PaperUpload,
    PaymentRequest,
    Rating,
    SupplementRequest,
)
from .states import OPEN_STATES, PAUSED_STATES, Action, Channel, State, next_state
from .uploads import UPLOAD_TTL, accepted_kinds, check_upload, max_pending_uploads, new_upload_token


# --- helpers --------------------------------------------------------------------------------------

def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _event(dossier: Dossier, *, actor, action: str, from_state, at: datetime, note: str = "",
           attachments: list | None = None, data: dict | None = None) -> DossierEvent:
    event = batch.insert(DossierEvent(  # the INSERT built once; the audit chain's receivers run as with save()
        dossier=dossier, actor=actor if getattr(actor, "pk", None) else None, at=at, action=action,
        from_state=from_state, to_state=dossier.state, step=dossier.current_step or None, note=note,
        attachments=attachments or [], data=data or {},
    ))
    hooks.dossier_changed(dossier)  # e.g. scoring's rollups, in this same transaction
    return event


def _known_relations(dossier: Dossier, **rows: list) -> None:
    """Fill the dossier's prefetch cache with rows the service has just written (as prefetch_related would)."""
    cache = {}
    for name, objs in rows.items():
        qs = getattr(dossier, name).all()
        qs._result_cache, qs._prefetch_done = list(objs), True
        cache[name] = qs
    dossier._prefetched_objects_cache = cache


def _locked(dossier: Dossier) -> Dossier:
    """Re-read the dossier under a row lock (PostgreSQL; SQLite holds the write lock from BEGIN)."""
    return Dossier.objects.select_for_update().get(pk=dossier.pk)


def _transition(dossier: Dossier, action: str) -> int:
    before = dossier.state
    dossier.state = next_state(action, before)
    return before


def _active_step(dossier: Dossier) -> DossierStep | None:
    return dossier.steps.filter(status=DossierStep.Status.ACTIVE).first()


def _require_step_role(actor, dossier: Dossier, *roles: str, kinds: tuple[str, ...] = ()) -> DossierStep | None:
    """The actor must be an official of the agency handling the active workflow step, holding one of
    `roles`; with `kinds`, the active step must be of one of those kinds."""
    step = _active_step(dossier)
    agency_id = step.agency_id if step else dossier.agency_id
    if getattr(actor, "kind", "") != "official" or access.agency_id_of(actor) != agency_id:
        raise PermissionDenied(_("Hồ sơ này không thuộc cơ quan của bạn."))
    if not access.roles_of(actor) & set(roles):
        labels = ", ".join(str(Role(r).label) for r in roles)
        raise PermissionDenied(_("Thao tác này dành cho vai trò: %(roles)s; bạn không có vai trò đó.") % {"roles": labels})
    if kinds and step is not None and step.kind not in kinds:
        raise ValidationError(_("Hồ sơ đang ở bước “%(step)s”, chưa đến bước thực hiện thao tác này.") % {"step": step.name})
    return step


def _next_code(agency, day) -> str:
    """`<agency code>-<YYMMDD>-<NNNN>`: gapless and unique per agency per day.

    One statement increments (or starts) the day's counter and returns the new value; the row stays
    locked until the reception commits, so concurrent receptions queue, and a failed reception rolls
    its number back."""
    table = DailySequence._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, 1) "
            f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [agency.pk, day],
        )
        number = cur.fetchone()[0]
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


def _reused_documents(procedure, reuse: dict | None, *, owner, on) -> dict:
    """Resolve the papers of the owner's data store chosen per component ({component key: document id}).
    Raises ValidationError naming each component whose reference is forged, unfit or expired."""
    if not reuse:
        return {}
    from tinhso.datastore.selectors import document_for_reuse

    chosen, errors = {}, {}
    components = {c.key: c for c in procedure.components.all()}
    for key, doc_id in reuse.items():
        if doc_id in (None, "") or key not in components:
            continue
        try:
            chosen[key] = document_for_reuse(owner=owner, doc_id=doc_id, procedure=procedure,
                                             component=components[key], on=on)
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                errors.setdefault(field, []).extend(msgs)
    if errors:
        raise ValidationError(errors)
    return chosen


def _store_components(dossier: Dossier, procedure, files: dict, *, supplement_round: int = 0,
                      require_mandatory: bool = True, only_keys: set[str] | None = None,
                      reused: dict | None = None, stored: list | None = None) -> list[dict]:
    """Check every uploaded paper by content and attach it; attach by reference the papers `reused` from
    the citizen's data store ({component key: StoredDocument}). Raises ValidationError naming the paper."""
    errors: dict[str, list[str]] = {}
    checked, claimed = [], []
    reused = reused or {}
    for comp in procedure.components.all():
        if only_keys is not None and comp.key not in only_keys:
            continue
        if comp.key in reused:
            continue
        uploads = files.get(comp.key) or []
        if not isinstance(uploads, (list, tuple)):
            uploads = [uploads]
        if not uploads:
            if require_mandatory and comp.mandatory:
                errors.setdefault(f"component_{comp.key}", []).append(
                    _("Hãy đính kèm “%(name)s”: đây là giấy tờ bắt buộc.") % {"name": comp.name})
            continue
        for up in uploads:
            if isinstance(up, PaperUpload):  # uploaded and checked ahead: only its type is checked against this paper
                if up.kind not in accepted_kinds(comp.file_type_list):
                    errors.setdefault(f"component_{comp.key}", []).append(
                        _("Tệp “%(name)s” cho “%(field)s” không phải là %(types)s. Hãy chọn đúng tệp.")
                        % {"name": up.original_filename, "field": comp.name,
                           "types": ", ".join(t.upper() for t in accepted_kinds(comp.file_type_list))})
                else:
                    claimed.append((comp, up))
                continue
            try:
                checked.append((comp, check_upload(up, accepted=comp.file_type_list, field_label=comp.name)))
            except ValidationError as exc:
                errors.setdefault(f"component_{comp.key}", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    attachments, objs = [], []
    for comp, up in claimed:
        obj = DossierComponent(
            dossier=dossier, key=comp.key, name=comp.name, original_filename=up.original_filename,
            content_type=up.content_type, size=up.size, sha256=up.sha256, supplement_round=supplement_round,
            originals=comp.count_original, certified_copies=comp.count_certified, copies=comp.count_copy,
        )
        obj.file.name = up.file.name  # the uploaded file becomes the paper's: not copied
        objs.append(obj)
        attachments.append({"component": comp.key, "file": up.original_filename, "sha256": up.sha256})
    if claimed:
        _paper_uploads_take([up for _comp, up in claimed])
    for comp, cf in checked:
        obj = DossierComponent(
            dossier=dossier, key=comp.key, name=comp.name, original_filename=cf.original_filename,
            content_type=cf.content_type, size=cf.size, sha256=cf.sha256, supplement_round=supplement_round,
            originals=comp.count_original, certified_copies=comp.count_certified, copies=comp.count_copy,
        )
        obj.file.save(cf.content.name, cf.content, save=False)
        objs.append(obj)
        attachments.append({"component": comp.key, "file": obj.original_filename, "sha256": cf.sha256})
    for comp in procedure.components.all():
        doc = reused.get(comp.key)
        if doc is None or (only_keys is not None and comp.key not in only_keys):
            continue
        obj = DossierComponent(
            dossier=dossier, key=comp.key, name=comp.name, original_filename=doc.original_filename or doc.title[:200],
            content_type=doc.content_type, size=doc.size, sha256=doc.sha256, supplement_round=supplement_round,
            originals=comp.count_original, certified_copies=comp.count_certified, copies=comp.count_copy,
            reused_from=doc, reuse_source="datastore")
        obj.file.name = doc.file.name  # by reference: the stored file is not copied
        objs.append(obj)
        attachments.append({"component": comp.key, "reused_from": doc.pk, "source": "datastore",
                            "sha256": doc.sha256})
    for obj in objs:
        batch.insert(obj)  # the INSERT built once (ids set on both databases)
    if stored is not None:
        stored.extend(objs)
    return attachments


def _paper_uploads_take(uploads: list[PaperUpload]) -> None:
    """Inside the transaction that attaches them: delete the uploads' rows (their files now belong to the new
    components). A paper already taken by a concurrent submission, or purged meanwhile, fails the whole change."""
    ids = sorted({up.pk for up in uploads})
    if len(ids) != len(uploads):
        raise ValidationError(_("Một tệp đã tải lên chỉ dùng được cho một thành phần hồ sơ."), code="upload_twice")
    q = connection.ops.quote_name
    with connection.cursor() as cur:
        # By key alone: the rows were read as the owner's (`selectors.paper_uploads_named`), and an owner never changes.
        cur.execute(f"DELETE FROM {q(PaperUpload._meta.db_table)} WHERE {q('id')} IN ({', '.join(['%s'] * len(ids))})",
                    ids)
        taken = cur.rowcount
    if taken != len(ids):
        raise ValidationError(_("Một tệp đã tải lên vừa được dùng cho hồ sơ khác hoặc đã hết hạn. Hãy tải lên lại."),
                              code="upload_taken")


def paper_upload(*, actor, upload, at: datetime | None = None) -> PaperUpload:
    """A signed-in user uploads one paper ahead of the submission (or supplement) that will attach it: checked by
    content (PDF, JPG or PNG; images re-encoded) and size, stored under a random name, and kept `UPLOAD_TTL` for
    its owner. At most `max_pending_uploads()` unused papers per user within that time."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Hãy đăng nhập để tải giấy tờ lên."))
    if upload is None:
        raise ValidationError({"file": [_("Hãy chọn tệp cần tải lên.")]})
    at = _now(at)
    limit = max_pending_uploads()
    # Counted up to the cap only (the owner's recent rows, by their index).
    pending = PaperUpload.objects.filter(owner=actor, created_at__gte=at - UPLOAD_TTL)[:limit].count() if limit else 0
    if limit and pending >= limit:
        raise ValidationError({"file": [_("Bạn đang có %(n)s tệp đã tải lên mà chưa dùng cho hồ sơ nào (tối đa %(max)s "
                                          "trong 24 giờ). Hãy nộp hồ sơ với các tệp đó, hoặc đợi chúng tự được xóa.")
                                        % {"n": pending, "max": limit}]})
    try:
        cf = check_upload(upload, accepted=None, field_label=_("giấy tờ"))
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    row = PaperUpload(owner=actor, token=new_upload_token(), original_filename=cf.original_filename, kind=cf.kind,
                      content_type=cf.content_type, size=cf.size, sha256=cf.sha256, created_at=at)
    row.file.save(cf.content.name, cf.content, save=False)
    try:
        with transaction.atomic():
            batch.insert(row)
            event_record(actor=actor, name="dossiers.paper_uploaded", subject=row,
                         data={"kind": cf.kind, "size": cf.size, "sha256": cf.sha256})
    except BaseException:
        row.file.delete(save=False)  # nothing half-written: no file without its row
        raise
    return row


def paper_uploads_purge(*, now: datetime | None = None, batch_size: int = 1000) -> int:
    """Delete the papers uploaded more than `UPLOAD_TTL` ago that no submission took, rows then files, in short
    batches; idempotent (a file already gone is skipped). Returns how many."""
    from django.core.files.storage import default_storage

    cutoff = (now or timezone.now()) - UPLOAD_TTL
    purged = 0
    while True:
        rows = list(PaperUpload.objects.filter(created_at__lt=cutoff).values_list("pk", "file")[:batch_size])
        if not rows:
            return purged
        with transaction.atomic():
            deleted, _by_model = PaperUpload.objects.filter(pk__in=[pk for pk, _f in rows]).delete()
            event_record(actor=None, name="dossiers.paper_uploads_purged", subject_type="dossiers.paperupload",
                         subject_id="", data={"count": deleted})
        for _pk, name in rows:
            if name:
                default_storage.delete(name)  # FileSystemStorage: no error when already gone
        purged += deleted


IDENTITY_RECHECK = timedelta(minutes=10)


def _identity_check(actor) -> str:
    """Part of online submission, never blocking it: check the citizen against the population registry
    (people.services.citizen_identity_check; "verified" | "mismatch" | "unavailable"), unless already verified."""
    from tinhso.people import services as people_services

    check = getattr(people_services, "citizen_identity_check", None)
    if check is None:
        return ""
    # Ask the registry at most once per IDENTITY_RECHECK for an account it could not confirm: a registry
    # outage must not cost every submission the registry's time budget, nor write the account each time.
    checked_at = getattr(actor, "identity_checked_at", None)
    status = getattr(actor, "identity_status", "")
    if status == "verified" or (checked_at and timezone.now() - checked_at < IDENTITY_RECHECK):
        return status or ""
    try:
        return check(actor=actor, user=actor) or ""
    except Exception:  # noqa: BLE001 - the registry must never stop a citizen from submitting
        return "unavailable"


def _validate_form(procedure, form_data: dict) -> dict:
    from tinhso.catalog.selectors import form_validate

    cleaned, errors = form_validate(procedure=procedure, data=form_data)
    if errors:
        raise ValidationError({k: list(v) for k, v in errors.items()})
    return cleaned


def _start_clock(dossier: Dossier, procedure, *, at: datetime) -> None:
    """Fix the due time of the dossier and of each workflow step at reception."""
    dossier.received_at = at
    dossier.counting_from, dossier.due_at = clock.dossier_due(
        received_at=at, kind=dossier.limit_kind, amount=dossier.limit_amount)
    dossier.original_due_at = dossier.due_at
    steps = list(procedure.steps.all())
    shares = [s.share_percent for s in steps]
    dues = clock.step_dues(counting_from=dossier.counting_from, due_at=dossier.due_at, shares=shares) if steps else []
    rows = []
    for i, (s, due) in enumerate(zip(steps, dues), start=1):
        # The reception step is done at the moment of reception; the next one starts then.
        status = (DossierStep.Status.DONE if i == 1 and len(steps) > 1
                  else DossierStep.Status.ACTIVE if i == min(2, len(steps)) else DossierStep.Status.WAITING)
        rows.append(DossierStep(
            dossier=dossier, order=i, kind=s.kind, name=s.get_kind_display(), role=s.role,
            share_percent=s.share_percent, agency=dossier.agency, due_at=due, status=status,
            started_at=at if status != DossierStep.Status.WAITING else None,
            finished_at=at if status == DossierStep.Status.DONE else None,
        ))
    DossierStep.objects.bulk_create(rows)
    if rows:
        Handover.objects.create(dossier=dossier, step=1, agency=dossier.agency, at=at, giver=None, receiver=None,
                                result=_("Tiếp nhận hồ sơ"), step_due_at=rows[0].due_at,
                                timeliness=_timeliness(at, rows[0].due_at))
        dossier.current_step = min(2, len(rows))


def _timeliness(at: datetime, due: datetime | None) -> str:
    if due is None:
        return Handover.Timeliness.ON_TIME
    if at > due:
        return Handover.Timeliness.LATE
    if (due - at).total_seconds() >= 3600:
        return Handover.Timeliness.EARLY
    return Handover.Timeliness.ON_TIME


def _advance_step(dossier: Dossier, *, actor, at: datetime, result: str, assignee=None, to_kind: str | None = None) -> None:
    """Close the active step (writing its control-slip row) and open the next (or the one of `to_kind`)."""
    step = _active_step(dossier)
    if step is not None:
        step.status = DossierStep.Status.DONE
        step.finished_at = at
        step.save(update_fields=["status", "finished_at"])
        Handover.objects.create(dossier=dossier, step=step.order, agency=step.agency, at=at, giver=actor,
                                receiver=assignee, result=result, step_due_at=step.due_at,
                                timeliness=_timeliness(at, step.due_at))
    remaining = dossier.steps.filter(status=DossierStep.Status.WAITING).order_by("order")
    if to_kind:
        remaining = remaining.filter(kind=to_kind)
    nxt = remaining.first()
    if nxt is not None:
        nxt.status = DossierStep.Status.ACTIVE
        nxt.started_at = at
        nxt.assignee = assignee
        nxt.save(update_fields=["status", "started_at", "assignee"])
        dossier.current_step = nxt.order
    dossier.assignee = assignee


def _pause(dossier: Dossier, at: datetime) -> None:
    dossier.paused_at = at


def _resume(dossier: Dossier, at: datetime) -> None:
    if dossier.paused_at is None:
        return
    paused_at = dossier.paused_at
    dossier.due_at = clock.resumed_due(due_at=dossier.due_at, paused_at=paused_at, resumed_at=at)
    dossier.paused_total_seconds += int((at - paused_at).total_seconds())
    for step in dossier.steps.exclude(status=DossierStep.Status.DONE):
        step.due_at = clock.resumed_due(due_at=step.due_at, paused_at=paused_at, resumed_at=at)
        step.warned_due_soon = step.warned_late = False
        step.save(update_fields=["due_at", "warned_due_soon", "warned_late"])
    dossier.paused_at = None
    dossier.warned_due_soon = dossier.warned_late = False


def _snapshot_applicant(dossier: Dossier, user) -> None:
    dossier.applicant = user
    dossier.applicant_name = user.full_name or user.get_username()
    dossier.applicant_cccd = user.cccd or ""
    dossier.applicant_phone = user.phone or ""
    dossier.applicant_email = user.email or ""
    commune = ""
    if user.commune_id:  # the loaded commune's name, else one row read by a statement built once
        loaded = user._meta.get_field("commune").is_cached(user)
        commune = user.commune.name if loaded else places_selectors.commune_name(code=user.commune_id)
    dossier.applicant_address = ", ".join(x for x in [user.address_line, commune] if x)


def _search_key(dossier: Dossier) -> str:
    from tinhso.catalog.text import search_key

    return search_key(f"{dossier.applicant_name} {dossier.applicant_cccd} {dossier.procedure_name}")


# --- idempotency keys (see idempotency.py) --------------------------------------------------------

def _idempotency_prior(actor, idempotency: Idempotency | None) -> None:
    """Raise IdempotentReplay when the actor already made this request with this key at this endpoint
    (within KEY_TTL), IdempotencyKeyMismatch when they used the key for a different request."""
    if idempotency is None:
        return
    record = IdempotencyKey.objects.filter(
        user=actor, scope=idempotency.scope, key=idempotency.key,
        created_at__gte=timezone.now() - KEY_TTL).first()
    if record is None:
        return
    if record.fingerprint != idempotency.fingerprint:
        raise IdempotencyKeyMismatch()
    raise IdempotentReplay(record)


def _idempotency_claim(actor, idempotency: Idempotency | None) -> IdempotencyKey | None:
    """The first write of a create transaction: the key's row. A concurrent request with the same key waits
    on the unique index (PostgreSQL; SQLite's write lock from BEGIN IMMEDIATE) and then fails with an
    IntegrityError, after which `_idempotency_prior` finds the committed row. A key past KEY_TTL that the
    periodic purge has not deleted yet is forgotten here."""
    if idempotency is None:
        return None
    now = timezone.now()
    IdempotencyKey.objects.filter(user=actor, scope=idempotency.scope, key=idempotency.key,
                                  created_at__lt=now - KEY_TTL).delete()
    return IdempotencyKey.objects.create(user=actor, scope=idempotency.scope, key=idempotency.key,
                                         fingerprint=idempotency.fingerprint, created_at=now)


def _idempotency_done(claim: IdempotencyKey | None, dossier: Dossier) -> None:
    if claim is not None:
        claim.dossier = dossier
        claim.save(update_fields=["dossier"])


def idempotency_key_respond(*, actor, idempotency: Idempotency, status: int, body: str) -> None:
    """Remember the first answer to a request made with a key (sent again, as is, on a replay). Only the
    first answer is kept; the dossier is already linked to the key by the create service's transaction."""
    IdempotencyKey.objects.filter(user=actor, scope=idempotency.scope, key=idempotency.key,
                                  fingerprint=idempotency.fingerprint, response_status__isnull=True,
                                  ).update(response_status=status, response_body=body)


def idempotency_keys_purge(*, now: datetime | None = None, batch: int = 5000) -> int:
    """Delete the keys older than KEY_TTL (24 hours), in short batches; idempotent. Returns how many."""
    cutoff = (now or timezone.now()) - KEY_TTL
    deleted = 0
    while True:
        ids = list(IdempotencyKey.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        deleted += IdempotencyKey.objects.filter(pk__in=ids).delete()[0]


def _new_dossier(procedure, agency, channel: int) -> Dossier:
    return Dossier(
        procedure=procedure, procedure_code=procedure.code, procedure_name=procedure.name, agency=agency,
        channel=channel, limit_kind=procedure.time_kind, limit_amount=procedure.time_amount,
        fee_amount=procedure.fee_total_min,
    )


# --- submission and reception ---------------------------------------------------------------------

def dossier_submit_online(*, actor, procedure, agency, form_data: dict, files: dict, submit_token: str | None = None,
                          return_method: str = Dossier.ReturnMethod.ONLINE, at: datetime | None = None,
                          reuse: dict | None = None, idempotency: Idempotency | None = None) -> Dossier:
    """A signed-in citizen submits a dossier online (channel 2): state 1, waiting for reception.

    `reuse` ({component key: StoredDocument id}) attaches papers of the citizen's own data store by
    reference instead of an upload; another citizen's paper or an expired one is refused, naming the
    component. The identity is checked against the population registry without blocking: the returned
    dossier carries `identity_check` ("verified" | "mismatch" | "unavailable" | "").

    With `idempotency` (the API's Idempotency-Key header), a request already made with that key raises
    `IdempotentReplay` (nothing written) and the key used for another request `IdempotencyKeyMismatch`."""
    if not getattr(actor, "is_authenticated", False) or actor.kind != "citizen":
        raise PermissionDenied(_("Chỉ công dân đã đăng nhập mới nộp được hồ sơ trực tuyến."))
    _idempotency_prior(actor, idempotency)
    if procedure.online_level == "khong" or not procedure.published:
        raise ValidationError(_("Thủ tục này chưa cung cấp dịch vụ nộp hồ sơ trực tuyến."))
    if submit_token and Dossier.objects.filter(submit_token=submit_token).exists():
        raise ValidationError(_("Biểu mẫu này đã được gửi rồi: hồ sơ của bạn đã được ghi nhận, không gửi lại lần nữa."),
                              code="duplicate")
    cleaned = _validate_form(procedure, form_data)
    at = _now(at)
    reused = _reused_documents(procedure, reuse, owner=actor, on=timezone.localtime(at).date())
    identity = _identity_check(actor)
    try:
        with transaction.atomic():
            claim = _idempotency_claim(actor, idempotency)
            dossier = _new_dossier(procedure, agency, Channel.ONLINE)
            _snapshot_applicant(dossier, actor)
            dossier.form_data = cleaned
            dossier.submit_token = submit_token or None
            dossier.submitted_at = at
            dossier.return_method = return_method
            dossier.search_key = _search_key(dossier)
            _transition(dossier, Action.SUBMIT)
            batch.insert(dossier)
            stored: list[DossierComponent] = []
            attachments = _store_components(dossier, procedure, files, reused=reused, stored=stored)
            event = _event(dossier, actor=actor, action=Action.SUBMIT, from_state=None, at=at,
                           attachments=attachments, data={"identity_check": identity} if identity else None)
            _idempotency_done(claim, dossier)
    except IntegrityError:
        _idempotency_prior(actor, idempotency)  # a concurrent request with the same key made the dossier
        if submit_token and Dossier.objects.filter(submit_token=submit_token).exists():
            raise ValidationError(_("Biểu mẫu này đã được gửi rồi: hồ sơ của bạn đã được ghi nhận, không gửi lại lần nữa."),
                                  code="duplicate") from None
        raise
    dossier.identity_check = identity
    # A new dossier's relations are exactly what was just written: known, so callers need not re-read them.
    _known_relations(dossier, steps=[], events=[event], components=stored, supplement_requests=[],
                     payment_requests=[])
    Dossier.rating.related.set_cached_value(dossier, None)
    return dossier


@transaction.atomic
def dossier_receive(*, actor, dossier: Dossier, at: datetime | None = None, note: str = "") -> Dossier:
    """The one-stop receiver accepts an online dossier: code, due time of the dossier and its steps."""
    dossier = _locked(dossier)
    access.require_role(actor, Role.RECEIVER, agency_id=dossier.agency_id)
    at = _now(at)
    before = _transition(dossier, Action.RECEIVE)
    dossier.code = _next_code(dossier.agency, timezone.localtime(at).date())
    _start_clock(dossier, dossier.procedure, at=at)
    dossier.save()
    _event(dossier, actor=actor, action=Action.RECEIVE, from_state=before, at=at, note=note,
           data={"due_at": dossier.due_at.isoformat()})
    return dossier


def dossier_register_at_desk(*, actor, procedure, agency, applicant: dict, form_data: dict, files: dict,
                             channel: int = Channel.DESK, citizen=None, at: datetime | None = None,
                             return_method: str = Dossier.ReturnMethod.DESK,
                             counted: dict | None = None, reuse: dict | None = None,
                             reuse_consent: bool = False, idempotency: Idempotency | None = None) -> Dossier:
    """The one-stop receiver registers a dossier brought to the desk (channel 1) or by post (3).

    `counted` lists the paper components checked at the desk without a scan:
    {component key: {"originals": n, "certified_copies": n, "copies": n}}.
    `reuse` ({component key: StoredDocument id}) attaches papers of the citizen's data store (the citizen
    found by CCCD), only with the citizen's consent (`reuse_consent`), which is recorded.

    With `idempotency` (the API's Idempotency-Key header, the desk form's hidden token), a request already
    made with that key raises `IdempotentReplay` (nothing written: a retry or a double click is one
    dossier) and the key used for another request `IdempotencyKeyMismatch`."""
    if channel not in (Channel.DESK, Channel.POST):
        raise ValidationError({"channel": [_("Kênh tiếp nhận tại quầy phải là 1 (trực tiếp) hoặc 3 (bưu chính).")]})
    access.require_role(actor, Role.RECEIVER, agency_id=agency.pk)
    _idempotency_prior(actor, idempotency)
    errors = {}
    for field in ("applicant_name",):
        if not (applicant.get(field) or "").strip():
            errors[field] = [_("Hãy nhập họ và tên người nộp hồ sơ.")]
    if errors:
        raise ValidationError(errors)
    cleaned = _validate_form(procedure, form_data)
    at = _now(at)
    reused = {}
    if any(v not in (None, "") for v in (reuse or {}).values()):
        if citizen is None:
            raise ValidationError({"applicant_cccd": [_("Số CCCD: hãy tra cứu công dân theo số CCCD trước khi dùng "
                                                         "giấy tờ trong kho dữ liệu của họ.")]})
        if not reuse_consent:
            raise ValidationError({"reuse_consent": [_("Hãy hỏi ý kiến và đánh dấu ô “Công dân đồng ý cho dùng giấy tờ "
                                                        "trong kho dữ liệu” trước khi dùng giấy tờ trong kho.")]})
        reused = _reused_documents(procedure, reuse, owner=citizen, on=timezone.localtime(at).date())
    try:
        return _register_at_desk(actor=actor, procedure=procedure, agency=agency, applicant=applicant,
                                 cleaned=cleaned, files=files, channel=channel, citizen=citizen, at=at,
                                 return_method=return_method, counted=counted, reused=reused,
                                 idempotency=idempotency)
    except IntegrityError:
        _idempotency_prior(actor, idempotency)  # a concurrent request with the same key made the dossier
        raise


@transaction.atomic
def _register_at_desk(*, actor, procedure, agency, applicant: dict, cleaned: dict, files: dict, channel: int,
                      citizen, at: datetime, return_method: str, counted: dict | None, reused: dict,
                      idempotency: Idempotency | None) -> Dossier:
    """The transaction of dossier_register_at_desk (its checks done)."""
    claim = _idempotency_claim(actor, idempotency)
    dossier = _new_dossier(procedure, agency, channel)
    if citizen is not None:
        _snapshot_applicant(dossier, citizen)
    for field in ("applicant_name", "applicant_cccd", "applicant_phone", "applicant_email", "applicant_address"):
        if applicant.get(field):
            setattr(dossier, field, applicant[field].strip())
    dossier.form_data = cleaned
    dossier.submitted_at = at
    dossier.return_method = return_method
    dossier.search_key = _search_key(dossier)
    _transition(dossier, Action.REGISTER)
    dossier.code = _next_code(agency, timezone.localtime(at).date())
    dossier.save()
    _start_clock(dossier, procedure, at=at)
    dossier.save()
    attachments = _store_components(dossier, procedure, files, require_mandatory=False, reused=reused)
    uploaded = {a["component"] for a in attachments}
    for comp in procedure.components.all():
        counts = (counted or {}).get(comp.key)
        if counts and comp.key not in uploaded:
            DossierComponent.objects.create(
                dossier=dossier, key=comp.key, name=comp.name,
                originals=int(counts.get("originals", 0)), certified_copies=int(counts.get("certified_copies", 0)),
                copies=int(counts.get("copies", 0)))
            attachments.append({"component": comp.key, "paper": counts})
    data = {"channel": channel, "due_at": dossier.due_at.isoformat()}
    if reused:
        from tinhso.datastore.services import reuse_at_desk_record

        data["reuse_consent"] = True
        reuse_at_desk_record(actor=actor, citizen=citizen, documents=list(reused.values()), dossier=dossier)
    _event(dossier, actor=actor, action=Action.REGISTER, from_state=None, at=at, attachments=attachments,
           data=data)
    _idempotency_done(claim, dossier)
    return dossier


@transaction.atomic
def dossier_refuse(*, actor, dossier: Dossier, reason: str, at: datetime | None = None) -> Dossier:
    dossier = _locked(dossier)
    access.require_role(actor, Role.RECEIVER, agency_id=dossier.agency_id)
    if not reason.strip():
        raise ValidationError({"reason": [_("Hãy ghi rõ lý do từ chối tiếp nhận để công dân biết cần làm gì.")]})
    at = _now(at)
    before = _transition(dossier, Action.REFUSE)
    dossier.state_note = reason.strip()
    dossier.closed_at = at
    dossier.save()
    _event(dossier, actor=actor, action=Action.REFUSE, from_state=before, at=at, note=reason.strip())
    return dossier


# --- processing -----------------------------------------------------------------------------------

@transaction.atomic
def dossier_assign(*, actor, dossier: Dossier, assignee, note: str = "", at: datetime | None = None) -> Dossier:
    """Hand the dossier to a specialist of the same agency (receiver after reception, or leader)."""
    dossier = _locked(dossier)
    step = _require_step_role(actor, dossier, Role.RECEIVER, Role.LEADER)
    if assignee is None or access.agency_id_of(assignee) != (step.agency_id if step else dossier.agency_id):
        raise ValidationError({"assignee": [_("Hãy chọn cán bộ xử lý thuộc cơ quan giải quyết hồ sơ.")]})
    at = _now(at)
    before = _transition(dossier, Action.ASSIGN)
    if step is not None and step.kind == "assign":
        _advance_step(dossier, actor=actor, at=at, result=_("Chuyển xử lý"), assignee=assignee)
    elif step is not None:
        step.assignee = assignee
        step.save(update_fields=["assignee"])
        dossier.assignee = assignee
    else:
        dossier.assignee = assignee
    dossier.save()
    _event(dossier, actor=actor, action=Action.ASSIGN, from_state=before, at=at, note=note,
           data={"assignee": assignee.pk})
    return dossier


@transaction.atomic
def dossier_forward(*, actor, dossier: Dossier, assignee=None, agency=None, note: str = "",
                    at: datetime | None = None) -> Dossier:
    """Forward to another official of the agency, or (inter-agency procedures) to another agency."""
    dossier = _locked(dossier)
    step = _require_step_role(actor, dossier, Role.SPECIALIST, Role.LEADER)
    if assignee is None and agency is None:
        raise ValidationError({"assignee": [_("Hãy chọn cán bộ hoặc cơ quan nhận hồ sơ chuyển tiếp.")]})
    at = _now(at)
    before = _transition(dossier, Action.FORWARD)
    if agency is not None:
        if agency.pk == dossier.agency_id:
            raise ValidationError({"agency": [_("Hồ sơ đã ở cơ quan này; hãy chọn cơ quan khác.")]})
        nxt = dossier.steps.filter(status=DossierStep.Status.WAITING, kind="forward").order_by("order").first()
        if nxt is not None:
            nxt.agency, nxt.forwarded = agency, True
            nxt.save(update_fields=["agency", "forwarded"])
            _advance_step(dossier, actor=actor, at=at, result=_("Chuyển cơ quan phối hợp"), assignee=None, to_kind="forward")
        elif step is not None:
            step.agency, step.forwarded = agency, True
            step.assignee = None
            step.save(update_fields=["agency", "assignee", "forwarded"])
            Handover.objects.create(dossier=dossier, step=step.order, agency=agency, at=at, giver=actor, receiver=None,
                                    result=_("Chuyển cơ quan phối hợp"), step_due_at=step.due_at,
                                    timeliness=_timeliness(at, step.due_at))
        dossier.assignee = None
    else:
        if access.agency_id_of(assignee) != (step.agency_id if step else dossier.agency_id):
            raise ValidationError({"assignee": [_("Hãy chọn cán bộ thuộc cơ quan đang xử lý hồ sơ.")]})
        if step is not None:
            step.assignee = assignee
            step.save(update_fields=["assignee"])
        dossier.assignee = assignee
    dossier.save()
    _event(dossier, actor=actor, action=Action.FORWARD, from_state=before, at=at, note=note,
           data={"assignee": getattr(assignee, "pk", None), "agency": getattr(agency, "code", None)})
    return dossier


@transaction.atomic
def dossier_submit_for_approval(*, actor, dossier: Dossier, note: str = "", leader=None,
                                at: datetime | None = None) -> Dossier:
    dossier = _locked(dossier)
    _require_step_role(actor, dossier, Role.SPECIALIST, kinds=("process", "forward"))
    at = _now(at)
    before = _transition(dossier, Action.SUBMIT_APPROVAL)
    _advance_step(dossier, actor=actor, at=at, result=note or _("Trình phê duyệt"), assignee=leader, to_kind="approve")
    dossier.save()
    _event(dossier, actor=actor, action=Action.SUBMIT_APPROVAL, from_state=before, at=at, note=note)
    return dossier


def dossier_request_supplement(*, actor, dossier: Dossier, reason: str, items: list[dict],
                               at: datetime | None = None) -> Dossier:
    """Ask the citizen for missing papers: the clock stops until they supply them."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Hãy ghi rõ nội dung cần bổ sung, hoàn thiện.")]})
    with transaction.atomic():
        dossier = _locked(dossier)
        _require_step_role(actor, dossier, Role.SPECIALIST, Role.RECEIVER)
        at = _now(at)
        before = _transition(dossier, Action.REQUEST_SUPPLEMENT)
        _pause(dossier, at)
        dossier.supplement_count += 1
        dossier.save()
        SupplementRequest.objects.create(dossier=dossier, requested_by=actor, requested_at=at, reason=reason.strip(),
                                         items=items)
        _event(dossier, actor=actor, action=Action.REQUEST_SUPPLEMENT, from_state=before, at=at, note=reason.strip(),
               data={"items": items})
    return dossier


def dossier_supply(*, actor, dossier: Dossier, files: dict, note: str = "", at: datetime | None = None) -> Dossier:
    """The citizen supplies what was asked; the clock resumes with the working time that was left."""
    with transaction.atomic():
        dossier = _locked(dossier)
        access.require_owner(actor, dossier)
        at = _now(at)
        request = dossier.supplement_requests.filter(answered_at__isnull=True).first()
        before = _transition(dossier, Action.SUPPLY)
        keys = {i.get("key") for i in (request.items if request else []) if i.get("key")}
        if not any(files.get(k) for k in files) and not note.strip():
            raise ValidationError({"files": [_("Hãy đính kèm giấy tờ được yêu cầu bổ sung hoặc ghi nội dung trả lời.")]})
        attachments = _store_components(dossier, dossier.procedure, files, supplement_round=dossier.supplement_count,
                                        require_mandatory=False, only_keys=keys or None)
        _resume(dossier, at)
        dossier.save()
        if request:
            request.answered_at = at
            request.answer_note = note
            request.save(update_fields=["answered_at", "answer_note"])
        _event(dossier, actor=actor, action=Action.SUPPLY, from_state=before, at=at, note=note, attachments=attachments,
               data={"due_at": dossier.due_at.isoformat()})
    return dossier


@transaction.atomic
def dossier_request_payment(*, actor, dossier: Dossier, amount: int, purpose: str = "",
                            at: datetime | None = None) -> Dossier:
    from .payments import vietqr_payload

    dossier = _locked(dossier)
    _require_step_role(actor, dossier, Role.SPECIALIST, Role.RECEIVER)
    if amount is None or int(amount) <= 0:
        raise ValidationError({"amount": [_("Số tiền phải là số nguyên dương (đồng).")]})
    at = _now(at)
    before = _transition(dossier, Action.REQUEST_PAYMENT)
    _pause(dossier, at)
    dossier.fee_amount = int(amount)
    dossier.save()
    purpose = purpose.strip() or _("Phí, lệ phí hồ sơ %(code)s") % {"code": dossier.code}
    PaymentRequest.objects.create(dossier=dossier, requested_by=actor, requested_at=at, amount=int(amount),
                                  purpose=purpose, qr_payload=vietqr_payload(amount=int(amount), code=dossier.code))
    _event(dossier, actor=actor, action=Action.REQUEST_PAYMENT, from_state=before, at=at, note=purpose,
           data={"amount": int(amount)})
    return dossier


@transaction.atomic
def dossier_pay(*, actor, dossier: Dossier, reference: str, at: datetime | None = None) -> Dossier:
    """The payment is confirmed (by the citizen's transfer reference or the payment gateway)."""
    dossier = _locked(dossier)
    access.require_owner(actor, dossier)
    if not reference.strip():
        raise ValidationError({"reference": [_("Hãy nhập mã giao dịch chuyển khoản.")]})
    at = _now(at)
    before = _transition(dossier, Action.PAY)
    request = dossier.payment_requests.filter(paid_at__isnull=True).first()
    if request:
        request.paid_at = at
        request.payment_reference = reference.strip()[:100]
        request.save(update_fields=["paid_at", "payment_reference"])
    dossier.paid_at = at
    _resume(dossier, at)
    dossier.save()
    _event(dossier, actor=actor, action=Action.PAY, from_state=before, at=at, data={"reference": reference.strip()[:100]})
    return dossier


@transaction.atomic
def dossier_withdraw(*, actor, dossier: Dossier, reason: str = "", at: datetime | None = None) -> Dossier:
    dossier = _locked(dossier)
    access.require_owner(actor, dossier)
    at = _now(at)
    before = _transition(dossier, Action.WITHDRAW)
    dossier.state_note = reason.strip()
    dossier.closed_at = at
    dossier.paused_at = None
    dossier.save()
    _event(dossier, actor=actor, action=Action.WITHDRAW, from_state=before, at=at, note=reason.strip())
    return dossier


@transaction.atomic
def dossier_stop(*, actor, dossier: Dossier, reason: str, at: datetime | None = None) -> Dossier:
    dossier = _locked(dossier)
    access.require_role(actor, Role.LEADER, agency_id=dossier.agency_id)
    if not reason.strip():
        raise ValidationError({"reason": [_("Hãy ghi rõ lý do dừng xử lý hồ sơ.")]})
    at = _now(at)
    before = _transition(dossier, Action.STOP)
    dossier.state_note = reason.strip()
    dossier.closed_at = at
    dossier.paused_at = None
    dossier.save()
    _event(dossier, actor=actor, action=Action.STOP, from_state=before, at=at, note=reason.strip())
    return dossier


def dossier_approve(*, actor, dossier: Dossier, result_file=None, note: str = "", at: datetime | None = None) -> Dossier:
    """The leader approves: the dossier is finished (state 9) with its result document attached
    (uploaded PDF, or generated from the dossier when none is uploaded)."""
    from .documents import result_pdf

    with transaction.atomic():
        dossier = _locked(dossier)
        _require_step_role(actor, dossier, Role.LEADER, kinds=("approve",))
        at = _now(at)
        before = _transition(dossier, Action.APPROVE)
        if result_file is not None:
            cf = check_upload(result_file, accepted=["pdf"], field_label=_("Kết quả giải quyết"))
            dossier.result_file.save(cf.content.name, cf.content, save=False)
            dossier.result_name = cf.original_filename
        else:
            dossier.finished_at = at
            content = result_pdf(dossier, approver=actor, at=at)
            dossier.result_file.save(f"{dossier.code}-ket-qua.pdf", content, save=False)
            dossier.result_name = f"{dossier.code}-ket-qua.pdf"
        _advance_step(dossier, actor=actor, at=at, result=_("Phê duyệt"), assignee=None, to_kind="return")
        dossier.finished_at = at
        dossier.save()
        _event(dossier, actor=actor, action=Action.APPROVE, from_state=before, at=at, note=note,
               attachments=[{"result": dossier.result_name}])
        # Once-only: the result lands in the data store of each person it concerns, in this transaction.
        from tinhso.datastore.services import results_deliver

        results_deliver(actor=actor, dossier=dossier, at=at)
    return dossier


@transaction.atomic
def dossier_return_result(*, actor, dossier: Dossier, method: str | None = None, at: datetime | None = None) -> Dossier:
    dossier = _locked(dossier)
    access.require_role(actor, Role.RECEIVER, agency_id=dossier.agency_id)
    if method and method not in Dossier.ReturnMethod.values:
        raise ValidationError({"method": [_("Hình thức trả kết quả không hợp lệ.")]})
    at = _now(at)
    before = _transition(dossier, Action.RETURN)
    dossier.return_method = method or dossier.return_method
    dossier.returned_at = at
    dossier.closed_at = at
    step = _active_step(dossier)
    if step is not None:
        _advance_step(dossier, actor=actor, at=at, result=_("Trả kết quả"), assignee=None)
    dossier.save()
    _event(dossier, actor=actor, action=Action.RETURN, from_state=before, at=at,
           data={"method": dossier.return_method})
    return dossier


def dossier_apologize(*, actor, dossier: Dossier, reason: str, new_due_at: datetime,
                      at: datetime | None = None) -> Dossier:
    """The apology letter with ONE new appointment; a second re-appointment is refused."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Hãy ghi rõ lý do chậm trả kết quả.")]})
    with transaction.atomic():
        dossier = _locked(dossier)
        if not (access.official_acts_for(actor, dossier.agency_id)
                and access.roles_of(actor) & {Role.LEADER, Role.SPECIALIST, Role.RECEIVER}):
            raise PermissionDenied(_("Hồ sơ này không thuộc cơ quan của bạn."))
        if dossier.reappointed or Apology.objects.filter(dossier=dossier).exists():
            raise ValidationError(_("Hồ sơ này đã được hẹn lại một lần; theo quy định chỉ được hẹn lại một lần."),
                                  code="second_reappointment")
        if dossier.state not in OPEN_STATES or dossier.state in PAUSED_STATES:
            raise ValidationError(_("Chỉ hẹn lại được hồ sơ đang xử lý."))
        if new_due_at <= dossier.due_at:
            raise ValidationError({"new_due_at": [_("Ngày hẹn mới phải sau hạn trả kết quả hiện tại.")]})
        at = _now(at)
        Apology.objects.create(dossier=dossier, created_by=actor, created_at=at, reason=reason.strip(),
                               previous_due_at=dossier.due_at, new_due_at=new_due_at)
        previous = dossier.due_at
        dossier.due_at = new_due_at
        dossier.reappointed = True
        dossier.warned_due_soon = dossier.warned_late = False
        dossier.save()
        _event(dossier, actor=actor, action=Action.APOLOGIZE, from_state=dossier.state, at=at, note=reason.strip(),
               data={"previous_due_at": previous.isoformat(), "new_due_at": new_due_at.isoformat()})
    return dossier


@transaction.atomic
def dossier_rate(*, actor, dossier: Dossier, level: str, criteria: dict | None = None, comment: str = "",
                 at: datetime | None = None) -> Rating:
    dossier = _locked(dossier)
    access.require_owner(actor, dossier)
    if dossier.state not in (State.FINISHED, State.RETURNED):
        raise ValidationError(_("Chỉ đánh giá được sau khi hồ sơ đã có kết quả."))
    if level not in Rating.Level.values:
        raise ValidationError({"level": [_("Hãy chọn mức: hài lòng, chấp nhận được hoặc không hài lòng.")]})
    if Rating.objects.filter(dossier=dossier).exists():
        raise ValidationError(_("Bạn đã đánh giá hồ sơ này rồi."))
    rating = Rating.objects.create(dossier=dossier, level=level, criteria=criteria or {}, comment=comment.strip(),
                                   created_at=_now(at))
    _event(dossier, actor=actor, action=Action.RATE, from_state=dossier.state, at=rating.created_at,
           note=_("Đánh giá: %s") % rating.get_level_display(), data={"rating": level})
    return rating


@transaction.atomic
def dossier_complain(*, actor, dossier: Dossier, text: str, at: datetime | None = None) -> Complaint:
    dossier = _locked(dossier)
    access.require_owner(actor, dossier)
    if not text.strip():
        raise ValidationError({"text": [_("Hãy ghi nội dung phản ánh, kiến nghị.")]})
    complaint = Complaint.objects.create(dossier=dossier, author=actor, text=text.strip(), created_at=_now(at))
    _event(dossier, actor=actor, action=Action.COMPLAIN, from_state=dossier.state, at=complaint.created_at,
           note=_("Phản ánh: %s") % text.strip()[:200], data={"complaint": complaint.pk})
    return complaint


# The warning sweep writes through its own module (set-based, batched); re-exported here so that the
# rest of the project keeps calling services.
from .warnings import warnings_email, warnings_sweep  # noqa: E402,F401


def warning_mark_read(*, actor, warning_id: int) -> None:
    """The recipient marks one of their warnings read (nobody else can)."""
    from .models import Warning

    updated = Warning.objects.filter(pk=warning_id, recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
    if not updated and not Warning.objects.filter(pk=warning_id, recipient=actor).exists():
        from django.http import Http404

        raise Http404(_("Không tìm thấy cảnh báo."))
