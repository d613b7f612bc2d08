"""The only write path of the personal data store. Keyword-only, each in one transaction, each change
recorded with `event_record` in that transaction; reads by officials are written to DataAccessLog."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.dossiers.models import Dossier
from tinhso.events.services import event_record

from . import access
from .models import DataAccessLog, StoredDocument
from .vocabulary import CONCERNED_CCCD_FIELDS, DocType, Origin, result_kind_for

# Facts of a result copied into the store to prefill later forms (the child's name and birth date…).
RESULT_FACTS = ("ho_ten_tre", "ngay_sinh_tre", "gioi_tinh_tre", "noi_sinh", "ho_ten_ben_kia", "so_cccd_ben_kia",
                "ngay_sinh_ben_kia")


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def _require_citizen(actor) -> None:
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "kind", "") != "citizen":
        raise PermissionDenied(_("Kho dữ liệu cá nhân chỉ dành cho công dân đã đăng nhập."))


# --- the citizen's own store ----------------------------------------------------------------------

def document_add(*, actor, doc_type: str, title: str, upload, number: str = "", issuer: str = "",
                 issued_on: dt.date | None = None, valid_until: dt.date | None = None) -> StoredDocument:
    """The citizen adds a self-declared paper (checked by content: PDF, JPG or PNG)."""
    from tinhso.dossiers.uploads import check_upload

    _require_citizen(actor)
    errors: dict[str, list[str]] = {}
    if doc_type not in DocType.values:
        errors["doc_type"] = [_("Loại giấy tờ: hãy chọn một loại trong danh sách.")]
    title = (title or "").strip() or (str(DocType(doc_type).label) if doc_type in DocType.values else "")
    if len(title) > 300:
        errors["title"] = [_("Tên giấy tờ: tối đa 300 ký tự.")]
    if valid_until and issued_on and valid_until < issued_on:
        errors["valid_until"] = [_("Có giá trị đến: phải sau hoặc bằng ngày cấp.")]
    if issued_on and issued_on > timezone.localdate():
        errors["issued_on"] = [_("Ngày cấp: không được sau ngày hôm nay.")]
    checked = None
    if upload is None:
        errors["file"] = [_("Tệp giấy tờ: hãy chọn tệp PDF, JPG hoặc PNG.")]
    else:
        try:
            checked = check_upload(upload, accepted=["pdf", "jpg", "png"], field_label=_("Tệp giấy tờ"))
        except ValidationError as exc:
            errors["file"] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        doc = StoredDocument(owner=actor, doc_type=doc_type, title=title, number=(number or "").strip()[:60],
                             issuer=(issuer or "").strip()[:300], issued_on=issued_on, valid_until=valid_until,
                             original_filename=checked.original_filename, content_type=checked.content_type,
                             size=checked.size, sha256=checked.sha256, origin=Origin.SELF, created_at=timezone.now())
        doc.file.save(checked.content.name, checked.content, save=False)
        doc.save()
        event_record(actor=actor, name="datastore.document_added", subject=doc,
                     data={"doc_type": doc_type, "origin": Origin.SELF})
    return doc


def document_remove(*, actor, document_id) -> StoredDocument:
    """The citizen removes a self-declared paper of their store (verified papers stay: they were issued)."""
    _require_citizen(actor)
    with transaction.atomic():
        try:
            doc = StoredDocument.objects.select_for_update().get(pk=int(document_id), owner=actor,
                                                                 removed_at__isnull=True)
        except (StoredDocument.DoesNotExist, ValueError, TypeError):
            raise Http404(_("Không tìm thấy giấy tờ trong kho dữ liệu của bạn.")) from None
        if doc.origin != Origin.SELF:
            raise ValidationError(_("“%(title)s” là giấy tờ đã được xác thực (do cơ quan nhà nước cấp hoặc đối chiếu); "
                                    "chỉ xóa được giấy tờ bạn tự khai.") % {"title": doc.title})
        doc.removed_at = timezone.now()
        doc.save(update_fields=["removed_at"])
        event_record(actor=actor, name="datastore.document_removed", subject=doc, data={})
    return doc


# --- results of dossiers land in the stores of the people they concern ----------------------------

def results_deliver(*, actor, dossier: Dossier, at: dt.datetime | None = None) -> list[StoredDocument]:
    """Put the result of an approved dossier in the store of each person it concerns: the applicant, and
    the citizens its form names by CCCD (the other parent, the spouse) who have an account.
    Called by `dossiers.services.dossier_approve` inside its transaction; idempotent per person."""
    if not dossier.result_file:
        return []
    at = at or timezone.now()
    with transaction.atomic():
        kind = result_kind_for(dossier.procedure_code)
        people = {}
        if dossier.applicant_id and dossier.applicant.kind == "citizen":
            people[dossier.applicant_id] = dossier.applicant
        form = dossier.form_data or {}
        cccds = {str(form.get(k)).strip() for k in CONCERNED_CCCD_FIELDS if form.get(k)}
        if cccds:
            for user in get_user_model().objects.filter(kind="citizen", is_active=True, cccd__in=cccds):
                people.setdefault(user.pk, user)
        issued_on = timezone.localtime(at).date()
        title = (dossier.procedure.result_name or str(DocType(kind.doc_type).label))[:300]
        facts = {k: form[k] for k in RESULT_FACTS if form.get(k) not in (None, "")}
        created = []
        for user in people.values():
            if StoredDocument.objects.filter(owner=user, source_dossier=dossier).exists():
                continue
            doc = StoredDocument(
                owner=user, doc_type=kind.doc_type, title=title, number=dossier.code or "",
                issuer=dossier.agency.name[:300], issued_on=issued_on,
                valid_until=_add_months(issued_on, kind.valid_months) if kind.valid_months else None,
                original_filename=dossier.result_name[:200], content_type="application/pdf",
                size=_size(dossier.result_file), sha256=_sha256(dossier.result_file), origin=Origin.TINHSO,
                source_dossier=dossier, data=facts, created_at=at)
            doc.file.name = dossier.result_file.name  # by reference: the same stored file, no copy
            doc.save()
            created.append(doc)
            event_record(actor=actor, name="datastore.result_delivered", subject=doc,
                         data={"dossier": dossier.code, "owner": user.pk, "doc_type": kind.doc_type})
    return created


def _size(f) -> int:
    try:
        return int(f.size)
    except Exception:  # noqa: BLE001 - a missing file must not stop the approval
        return 0


def _sha256(f) -> str:
    import hashlib

    h = hashlib.sha256()
    try:
        with f.storage.open(f.name, "rb") as fh:
            for chunk in iter(lambda: fh.read(65536), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()


# --- reads by officials: checked and logged ----------------------------------------------------------

def _log(*, official, citizen, dossier, document, what: str, allowed: bool, reason: str = "",
         at: dt.datetime | None = None) -> DataAccessLog:
    with transaction.atomic():
        return DataAccessLog.objects.create(
            citizen=citizen, official=official, agency_id=access.agency_id_of(official), dossier=dossier,
            dossier_code=(dossier.code or f"#{dossier.pk}") if dossier else "", document=document, what=what,
            at=at or timezone.now(), allowed=allowed, reason=reason[:300])


def _dossier_and_document(dossier_pk, doc_id):
    try:
        dossier = Dossier.objects.select_related("applicant").get(pk=int(dossier_pk))
    except (Dossier.DoesNotExist, ValueError, TypeError):
        dossier = None
    document = None
    if doc_id is not None:
        try:
            document = StoredDocument.objects.get(pk=int(doc_id))
        except (StoredDocument.DoesNotExist, ValueError, TypeError):
            document = None
    return dossier, document


def _checked(actor, dossier_pk, doc_id, what: str):
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "kind", "") != "official":
        raise PermissionDenied(_("Chỉ cán bộ xử lý hồ sơ mới xem được kho dữ liệu của công dân."))
    dossier, document = _dossier_and_document(dossier_pk, doc_id)
    if dossier is None or (doc_id is not None and document is None):
        raise Http404(_("Không tìm thấy hồ sơ hoặc giấy tờ."))
    citizen = document.owner if document is not None else dossier.applicant
    reason = access.official_read_refusal(actor, dossier, document)
    if citizen is None:
        raise Http404(_("Hồ sơ này không gắn với tài khoản công dân nào."))
    # A refusal reveals nothing of another agency's dossier: it is logged against the citizen concerned.
    _log(official=actor, citizen=citizen, dossier=dossier, document=document, what=what, allowed=not reason,
         reason=reason)
    if reason:
        raise PermissionDenied(reason)
    return dossier, document


def documents_read_for_dossier(*, actor, dossier_pk) -> tuple[Dossier, list[StoredDocument]]:
    """An official lists the stored papers of a dossier's applicant (plus those reused in it). Logged."""
    dossier, _doc = _checked(actor, dossier_pk, None, DataAccessLog.What.LIST)
    owned = StoredDocument.objects.filter(owner_id=dossier.applicant_id, removed_at__isnull=True)
    reused = StoredDocument.objects.filter(reuses__dossier=dossier)
    return dossier, list((owned | reused).distinct().order_by("-created_at", "-id"))


def document_read_for_dossier(*, actor, dossier_pk, doc_id) -> tuple[Dossier, StoredDocument]:
    """An official opens one stored paper within a dossier they handle. Logged, allowed or refused."""
    return _checked(actor, dossier_pk, doc_id, DataAccessLog.What.OPEN)


def reuse_at_desk_record(*, actor, citizen, documents: list[StoredDocument], dossier: Dossier) -> None:
    """The receiver attached papers of the citizen's store at the desk, with the citizen's consent.
    Called by `dossiers.services.dossier_register_at_desk` inside its transaction."""
    for doc in documents:
        DataAccessLog.objects.create(
            citizen=citizen, official=actor, agency_id=access.agency_id_of(actor), dossier=dossier,
            dossier_code=dossier.code or "", document=doc, what=DataAccessLog.What.REUSE, at=timezone.now(),
            allowed=True, reason=_("Công dân đồng ý cho dùng giấy tờ trong kho dữ liệu tại quầy."))


def document_verify_against_original(*, actor, dossier_pk, doc_id) -> StoredDocument:
    """An official who handles a dossier of this citizen has checked a self-declared paper against its
    original: from now on it counts as verified. Logged like every read; refused to anyone else."""
    dossier, document = _checked(actor, dossier_pk, doc_id, DataAccessLog.What.VERIFY)
    with transaction.atomic():
        document = StoredDocument.objects.select_for_update().get(pk=document.pk)
        if document.removed_at is not None or document.origin != Origin.SELF:
            raise ValidationError(_("Chỉ đối chiếu được giấy tờ do công dân tự khai và còn trong kho."))
        document.origin = Origin.OFFICIAL
        document.verified_by = actor
        document.save(update_fields=["origin", "verified_by"])
        event_record(actor=actor, name="datastore.document_verified", subject=document,
                     data={"dossier": dossier.pk})
    return document


def documents_seen_at_desk(*, actor, citizen, documents) -> None:
    """The one-stop receiver looked the citizen up by CCCD and was shown the stored papers that fit the
    procedure (before any dossier exists): that read is recorded where the citizen can see it."""
    from tinhso.people.models import OfficialRole, Role

    if not documents:
        return
    if not OfficialRole.objects.filter(official__user=actor, role=Role.RECEIVER).exists():
        raise PermissionDenied(_("Chỉ cán bộ một cửa mới tra cứu được kho dữ liệu của công dân tại quầy."))
    DataAccessLog.objects.create(
        citizen=citizen, official=actor, agency_id=access.agency_id_of(actor), dossier=None, dossier_code="",
        document=None, what=DataAccessLog.What.LIST, at=timezone.now(), allowed=True,
        reason=_("Tra cứu theo số CCCD tại bộ phận một cửa: %(n)s giấy tờ phù hợp được hiển thị.") % {"n": len(documents)})
