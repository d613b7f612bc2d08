"""Desk (channel 1) and postal (channel 3) registration by the one-stop receiver: the citizen is looked up by
CCCD, the form is prefilled from the profile and the data store, and stored papers are reused with consent."""
from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from tinhso.catalog.forms import form_class_for
from tinhso.catalog.selectors import procedures_search
from tinhso.datastore import selectors as datastore_selectors
from tinhso.datastore import services as datastore_services
from tinhso.dossiers import idempotency, services
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.states import Channel
from tinhso.people.access import has_role, official_of

from ..portal.submit import initial_from_profile
from .common import SERVICE_ERRORS, error_messages, official_required

APPLICANT_FIELDS = [
    ("applicant_name", gettext_lazy("Họ và tên người nộp"), "name"),
    ("applicant_cccd", gettext_lazy("Số CCCD"), "off"),
    ("applicant_phone", gettext_lazy("Số điện thoại"), "tel"),
    ("applicant_email", gettext_lazy("Thư điện tử"), "email"),
    ("applicant_address", gettext_lazy("Địa chỉ"), "street-address"),
]


def _citizen_by_cccd(cccd: str):
    cccd = (cccd or "").strip()
    if len(cccd) != 12 or not cccd.isdigit():
        return None
    return get_user_model().objects.filter(kind="citizen", is_active=True, cccd=cccd).select_related("commune").first()


def _prefill(citizen) -> dict:
    if citizen is None:
        return {}
    address = ", ".join(x for x in [citizen.address_line, str(citizen.commune) if citizen.commune_id else ""] if x)
    return {"applicant_name": citizen.full_name, "applicant_cccd": citizen.cccd or "",
            "applicant_phone": citizen.phone or "", "applicant_email": citizen.email or "",
            "applicant_address": address}


def _stored_label(doc) -> str:
    """“Dùng giấy tờ trong kho: <title> (<number>, cấp ngày dd/mm/yyyy)”."""
    details = [d for d in [doc.number or "",
                           _("cấp ngày %(date)s") % {"date": doc.issued_on.strftime("%d/%m/%Y")} if doc.issued_on else ""]
               if d]
    label = _("Dùng giấy tờ trong kho: %(title)s") % {"title": doc.title}
    return f"{label} ({', '.join(details)})" if details else label


# One token per rendered form (like the portal's submit_token): a double click, or the same form sent
# again after a dropped connection, registers one dossier (dossiers/idempotency.py, scope below).
TOKEN_FIELD = "desk_token"
TOKEN_SCOPE = "web.desk_register"


def _desk_idempotency(request) -> idempotency.Idempotency | None:
    token = (request.POST.get(TOKEN_FIELD) or "").strip()[:idempotency.MAX_KEY_LENGTH]
    if not token:
        return None
    return idempotency.Idempotency(
        scope=TOKEN_SCOPE, key=token,
        fingerprint=idempotency.fingerprint(fields=request.POST, files=request.FILES,
                                            exclude=("csrfmiddlewaretoken", TOKEN_FIELD)))


def _reuse_choices(post, procedure) -> dict[str, str]:
    """The stored paper the receiver picked per component ("kho_<key>" = document id; "" = paper or upload)."""
    return {c.key: post.get(f"kho_{c.key}", "").strip() for c in procedure.components.all()
            if post.get(f"kho_{c.key}", "").strip()}


@official_required
def desk_register(request):
    user = request.user
    official = official_of(user)
    if official is None or not has_role(user, "receiver", agency=official.agency_id):
        raise PermissionDenied(_("Tiếp nhận hồ sơ tại quầy dành cho cán bộ bộ phận một cửa."))
    agency = official.agency
    procedures = procedures_search().filter(Q(agency_id=agency.pk) | Q(agency_kind=agency.kind))
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("thu_tuc", "").strip()
    procedure = procedures.filter(code=code).first() if code else None
    cccd = source.get("cccd", "").strip() or source.get("applicant_cccd", "").strip()
    citizen = _citizen_by_cccd(cccd)
    errors: dict[str, list[str]] = {}
    status = 200
    # A failed attempt wrote nothing: the form shown again keeps its token, except after the token was
    # refused for a different content (then a new one, so that sending again registers a new dossier).
    token = (request.POST.get(TOKEN_FIELD) or "").strip() if request.method == "POST" else ""

    if request.method == "POST" and procedure is not None:
        applicant = {f: request.POST.get(f, "") for f, _label, _ac in APPLICANT_FIELDS}
        files = {c.key: request.FILES.getlist(f"component_{c.key}") for c in procedure.components.all()}
        channel = Channel.POST if request.POST.get("channel") == str(Channel.POST) else Channel.DESK
        method = request.POST.get("return_method") or Dossier.ReturnMethod.DESK
        form_data = {ff.key: request.POST.get(ff.key, "") for ff in procedure.form_fields.all()}
        try:
            dossier = services.dossier_register_at_desk(
                actor=user, procedure=procedure, agency=agency, applicant=applicant, form_data=form_data,
                files=files, channel=channel, citizen=citizen, return_method=method,
                reuse=_reuse_choices(request.POST, procedure),
                reuse_consent=request.POST.get("reuse_consent") == "1", idempotency=_desk_idempotency(request))
        except idempotency.IdempotentReplay as replay:
            messages.info(request, _("Biểu mẫu này đã được gửi rồi: hồ sơ đã được tiếp nhận một lần, không tiếp "
                                     "nhận lại. Đây là hồ sơ đó."))
            return redirect("web:official_dossier", pk=replay.record.dossier_id)
        except idempotency.IdempotencyKeyMismatch:
            errors = {"__all__": [_("Biểu mẫu này đã được gửi một lần với nội dung khác (hồ sơ đã được tiếp nhận). "
                                    "Nếu đây là một hồ sơ mới, hãy kiểm tra lại thông tin và bấm “Tiếp nhận hồ sơ” "
                                    "một lần nữa.")]}
            token = ""
            status = 400
        except SERVICE_ERRORS as exc:
            errors = getattr(exc, "message_dict", None) or {"__all__": error_messages(exc)}
            status = 400
        else:
            messages.success(request, _("Đã tiếp nhận hồ sơ. Mã hồ sơ: %(code)s. Hẹn trả kết quả: %(due)s.") % {
                "code": dossier.code, "due": timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y")})
            return redirect("web:official_dossier", pk=dossier.pk)
    elif request.method == "POST":
        errors = {"thu_tuc": [_("Thủ tục: hãy chọn một thủ tục trong danh sách.")]}
        status = 400

    form = None
    applicant_rows = []
    if procedure is not None:
        form_cls = form_class_for(procedure)
        form = (form_cls(data=request.POST) if request.method == "POST"
                else form_cls(initial=initial_from_profile(procedure, citizen) if citizen else None))
        if status == 400 and request.method == "POST":
            for key, msgs in form.errors.items():
                errors.setdefault(key, list(msgs))
        values = request.POST if request.method == "POST" else _prefill(citizen)
        if request.method != "POST" and not values and cccd:
            values = {"applicant_cccd": cccd}
        applicant_rows = [{"name": f, "label": label, "autocomplete": ac, "value": values.get(f, ""),
                           "errors": errors.get(f, [])} for f, label, ac in APPLICANT_FIELDS]
    summary = []
    labels = {f: label for f, label, _ac in APPLICANT_FIELDS}
    labels["reuse_consent"] = _("Đồng ý của công dân")
    form_labels = {ff.key: ff.label for ff in procedure.form_fields.all()} if procedure else {}
    comp_labels = {f"component_{c.key}": c.name for c in procedure.components.all()} if procedure else {}
    for key, msgs in errors.items():
        anchor = f"id_{key}" if key != "__all__" else ""
        for m in msgs:
            summary.append({"anchor": anchor, "message": m,
                            "label": labels.get(key) or form_labels.get(key) or comp_labels.get(key, "")})
    # Only the papers of the citizen found by CCCD are ever offered (the service re-checks the owner).
    stored = (datastore_selectors.reusable_documents(owner=citizen, procedure=procedure, on=timezone.localdate())
              if procedure is not None and citizen is not None else {})
    if stored and request.method == "GET":
        datastore_services.documents_seen_at_desk(
            actor=request.user, citizen=citizen, documents=[d for docs in stored.values() for d in docs])
    chosen = _reuse_choices(request.POST, procedure) if request.method == "POST" and procedure else {}
    context = {
        "procedures": procedures, "procedure": procedure, "cccd": cccd, "citizen": citizen,
        "form": form, "applicant_rows": applicant_rows, "errors": errors, "summary": summary,
        "components": [{"c": c, "errors": errors.get(f"component_{c.key}", []), "reuse_name": f"kho_{c.key}",
                        "chosen": chosen.get(c.key, ""),
                        "stored": [{"pk": str(d.pk), "label": _stored_label(d)} for d in stored.get(c.key, [])]}
                       for c in (procedure.components.all() if procedure else [])],
        "offer_reuse": bool(stored) or bool(errors.get("reuse_consent")),
        "reuse_consent": request.POST.get("reuse_consent") == "1",
        "channel": request.POST.get("channel", str(Channel.DESK)),
        "return_method": request.POST.get("return_method", Dossier.ReturnMethod.DESK),
        "return_methods": Dossier.ReturnMethod.choices,
        "channel_desk": Channel.DESK, "channel_post": Channel.POST, "agency": agency,
        "form_errors_shown": request.method == "POST",
        "desk_token": token or secrets.token_urlsafe(32), "desk_token_field": TOKEN_FIELD,
    }
    return render(request, "workspace/desk_register.html", context, status=status)
