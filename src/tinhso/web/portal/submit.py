"""`/ho-so/nop/<procedure code>/`: a signed-in citizen fills in the application and uploads the papers.

Papers go up as soon as they are chosen, and a refused form keeps them (papers.py: ticked `giay_<key>` boxes).

The page carries a random one-time token: the same form sent twice is one dossier (the service refuses
the second, and we then show the dossier already sent)."""
from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from tinhso.catalog import selectors as catalog_selectors
from tinhso.catalog.forms import form_class_for
from tinhso.datastore import selectors as datastore_selectors
from tinhso.dossiers import selectors, services

from . import papers
from .display import money, summary_items
from .forms import SubmitChoicesForm

FORM_PREFIX = "tk"

# Profile data offered as the initial value of the application form (by field key, then by type).
PROFILE_BY_KEY = {"ho_ten": "full_name", "so_cccd": "cccd", "dien_thoai": "phone", "email": "email",
                  "noi_cu_tru": "address"}
PROFILE_BY_TYPE = {"cccd": "cccd", "phone": "phone", "email": "email"}

FILE_TYPE_WORDS = {"pdf": "PDF", "jpg": gettext_lazy("ảnh JPG"), "jpeg": gettext_lazy("ảnh JPG"), "png": gettext_lazy("ảnh PNG")}
FILE_TYPE_ACCEPT = {"pdf": ".pdf,application/pdf", "jpg": ".jpg,.jpeg,image/jpeg", "jpeg": ".jpg,.jpeg,image/jpeg",
                    "png": ".png,image/png"}


def _profile_values(user) -> dict[str, str]:
    address = ", ".join(x for x in [user.address_line, str(user.commune) if user.commune_id else ""] if x)
    return {"full_name": user.full_name or "", "cccd": user.cccd or "", "phone": user.phone or "",
            "email": user.email or "", "address": address}


def initial_from_profile(procedure, user) -> dict[str, str]:
    """Initial values of the application form: the account's profile, then facts of the citizen's data store."""
    profile = _profile_values(user)
    stored = datastore_selectors.prefill_values(user)
    initial = {}
    for ff in procedure.form_fields.all():
        source = PROFILE_BY_KEY.get(ff.key) or PROFILE_BY_TYPE.get(ff.type)
        if source and profile.get(source):
            initial[ff.key] = profile[source]
        elif stored.get(ff.key):
            initial[ff.key] = stored[ff.key]
    return initial


def _reuse_choices(request, procedure) -> dict[str, str]:
    """The stored paper chosen per component ("kho_<key>" = document id; "" = upload a file)."""
    return {c.key: request.POST.get(f"kho_{c.key}", "").strip() for c in procedure.components.all()
            if request.POST.get(f"kho_{c.key}", "").strip()}


def _component_rows(procedure, errors: dict[str, list[str]], *, stored: dict | None = None,
                    chosen: dict | None = None, bound: bool = False, kept: dict | None = None) -> list[dict]:
    """`stored`: the citizen's papers that can stand for each component; `chosen`: what the citizen picked
    (on a first showing the newest stored paper is offered by default); `kept`: the papers already uploaded for it."""
    stored, chosen, kept = stored or {}, chosen or {}, kept or {}
    rows = []
    for c in procedure.components.all():
        types = c.file_type_list
        counts = []
        if c.count_original:
            counts.append(_("%(n)s bản chính") % {"n": c.count_original})
        if c.count_certified:
            counts.append(_("%(n)s bản sao chứng thực") % {"n": c.count_certified})
        if c.count_copy:
            counts.append(_("%(n)s bản sao") % {"n": c.count_copy})
        rows.append({
            "c": c,
            "input_name": f"tep_{c.key}",
            "input_id": f"id_tep_{c.key}",
            "counts": ", ".join(counts),
            "types_words": ", ".join(str(FILE_TYPE_WORDS.get(t, t.upper())) for t in types),
            "accept": ",".join(dict.fromkeys(FILE_TYPE_ACCEPT.get(t, "." + t) for t in types)),
            "errors": errors.get(f"component_{c.key}", []),
            "stored": stored.get(c.key, []),
            "reuse_name": f"kho_{c.key}",
            "chosen": chosen.get(c.key, "") if bound else (str(stored[c.key][0].pk) if stored.get(c.key) else ""),
            "kept_name": f"giay_{c.key}",
            "kept": papers.kept_rows(kept, c.key),
        })
    return rows


def _default_agency_id(agencies, user) -> int | None:
    if getattr(user, "commune_id", None):
        for a in agencies:
            if a.commune_id == user.commune_id:
                return a.pk
    return None


@login_required
def dossier_submit(request, code: str):
    procedure = catalog_selectors.procedure_public(code=code)
    if getattr(request.user, "kind", "") != "citizen":
        raise PermissionDenied(_("Chỉ công dân đã đăng nhập mới nộp được hồ sơ trực tuyến."))
    online = procedure.online_level != "khong"
    agencies = list(selectors.handling_agencies(procedure=procedure))
    AppForm = form_class_for(procedure)
    component_errors: dict[str, list[str]] = {}
    general_errors: list[str] = []

    if request.method == "POST" and online:
        app_form = AppForm(data=request.POST, prefix=FORM_PREFIX)
        choices = SubmitChoicesForm(data=request.POST, agencies=agencies)
        app_form.is_valid()
        choices.is_valid()
        token = (request.POST.get("submit_token") or "").strip()[:64] or None
        if token:
            existing = selectors.dossiers_for_citizen(user=request.user).filter(submit_token=token).first()
            if existing is not None:
                messages.info(request, _("Biểu mẫu này đã được gửi rồi: đây là hồ sơ của bạn, không gửi lại lần nữa."))
                return redirect("web:my_dossier", pk=existing.pk)
        agency = None
        if not choices.errors:
            agency_id = choices.cleaned_data.get("co_quan") if "co_quan" in choices.fields else None
            try:
                agency = selectors.handling_agency(procedure=procedure, agency_id=agency_id)
            except Http404 as exc:
                general_errors.append(str(exc))
        keys = [c.key for c in procedure.components.all()]
        kept = papers.kept_papers(request, keys, lambda k: f"giay_{k}", component_errors)
        if agency is not None and not component_errors:
            form_data = {name: request.POST.get(app_form.add_prefix(name), "") for name in app_form.fields}
            files = {c.key: [*request.FILES.getlist(f"tep_{c.key}"), *kept.get(c.key, [])]
                     for c in procedure.components.all()}
            try:
                dossier = services.dossier_submit_online(
                    actor=request.user, procedure=procedure, agency=agency, form_data=form_data, files=files,
                    submit_token=token, return_method=choices.cleaned_data["hinh_thuc_nhan"],
                    reuse=_reuse_choices(request, procedure))
            except ValidationError as exc:
                if getattr(exc, "code", None) == "duplicate" and token:
                    existing = selectors.dossiers_for_citizen(user=request.user).filter(submit_token=token).first()
                    if existing is not None:
                        messages.info(request, _("Biểu mẫu này đã được gửi rồi: đây là hồ sơ của bạn, không gửi lại lần nữa."))
                        return redirect("web:my_dossier", pk=existing.pk)
                if hasattr(exc, "error_dict"):
                    for key, errs in exc.message_dict.items():
                        if key.startswith("component_"):
                            component_errors[key] = errs
                        elif key in app_form.fields:
                            if key not in app_form.errors:
                                app_form.add_error(key, errs)
                        else:
                            general_errors.extend(errs)
                else:
                    general_errors.extend(exc.messages)
            else:
                messages.success(request, _("Hồ sơ đã được gửi, đang chờ tiếp nhận."))
                identity = getattr(dossier, "identity_check", "")
                if identity == "unavailable":
                    messages.warning(request, _(
                        "Chưa đối chiếu được thông tin của bạn với Cơ sở dữ liệu quốc gia về dân cư (hệ thống đang "
                        "không phản hồi). Hồ sơ của bạn vẫn được gửi và lưu đầy đủ; tài khoản tạm ghi là chưa xác "
                        "thực và sẽ được đối chiếu lại sau, bạn không cần làm gì thêm."))
                elif identity == "mismatch":
                    messages.warning(request, _(
                        "Họ tên, ngày sinh hoặc số CCCD trong tài khoản không khớp với Cơ sở dữ liệu quốc gia về dân "
                        "cư. Hồ sơ vẫn được gửi; hãy kiểm tra lại thông tin tài khoản."))
                return redirect("web:my_dossier", pk=dossier.pk)
        papers.keep_sent_files(request, keys, lambda k: f"tep_{k}", kept, component_errors)
    else:
        kept = {}
        app_form = AppForm(initial=initial_from_profile(procedure, request.user), prefix=FORM_PREFIX)
        choices = SubmitChoicesForm(agencies=agencies, initial={
            "co_quan": _default_agency_id(agencies, request.user),
            "submit_token": secrets.token_urlsafe(32),
        })

    stored = datastore_selectors.reusable_documents(owner=request.user, procedure=procedure, on=timezone.localdate())
    components = _component_rows(procedure, component_errors, stored=stored, kept=kept,
                                 chosen=_reuse_choices(request, procedure) if request.method == "POST" else None,
                                 bound=request.method == "POST")
    return render(request, "portal/submit.html", {
        "procedure": procedure,
        "online": online,
        "fees": [{"description": f.description, "amount": money(f.amount) if f.amount else _("Miễn phí, không thu")}
                 for f in procedure.fees.all()],
        "single_agency": agencies[0] if len(agencies) == 1 else None,
        "no_agency": not agencies,
        "app_form": app_form,
        "choices": choices,
        "components": components,
        "general_errors": general_errors,
        "summary": summary_items(forms=[choices, app_form], general=general_errors,
                                 files=[(r["input_id"], r["c"].name, r["errors"]) for r in components]),
    })
