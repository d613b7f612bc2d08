"""The agency's dossier register (sổ theo dõi hồ sơ) of a period: table, PDF and Excel exports."""
from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tinhso.dossiers import documents, selectors
from tinhso.people.access import official_of

from .common import official_required, parse_date
from .register_excel import register_xlsx


def _period(request) -> tuple[date, date, list[str]]:
    today = timezone.localdate()
    errors = []
    raw_from, raw_to = request.GET.get("tu_ngay", ""), request.GET.get("den_ngay", "")
    date_from = parse_date(raw_from) if raw_from else today.replace(day=1)
    date_to = parse_date(raw_to) if raw_to else today
    if date_from is None:
        errors.append(_("Từ ngày: hãy nhập ngày dạng dd/mm/yyyy, ví dụ 01/03/2026."))
        date_from = today.replace(day=1)
    if date_to is None:
        errors.append(_("Đến ngày: hãy nhập ngày dạng dd/mm/yyyy, ví dụ 31/03/2026."))
        date_to = today
    if date_from > date_to:
        errors.append(_("Từ ngày phải trước hoặc bằng Đến ngày."))
        date_from, date_to = date_to, date_from
    return date_from, date_to, errors


def _agency(user):
    official = official_of(user)
    return official.agency if official else None


@require_safe
@official_required
def dossier_register(request):
    date_from, date_to, errors = _period(request)
    dossiers = selectors.register(user=request.user, date_from=date_from, date_to=date_to)
    fmt = request.GET.get("dinh_dang", "")
    suffix = f"{date_from:%Y%m%d}-{date_to:%Y%m%d}"
    if fmt == "pdf" and not errors:
        content = documents.register_pdf(agency=_agency(request.user), dossiers=dossiers, date_from=date_from,
                                         date_to=date_to)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="so-theo-doi-ho-so-{suffix}.pdf"'
        return response
    if fmt == "xlsx" and not errors:
        content = register_xlsx(agency=_agency(request.user), dossiers=dossiers, date_from=date_from, date_to=date_to)
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="so-theo-doi-ho-so-{suffix}.xlsx"'
        return response
    context = {
        "dossiers": dossiers[:1000], "total": dossiers.count(), "errors": errors,
        "date_from": date_from.strftime("%d/%m/%Y"), "date_to": date_to.strftime("%d/%m/%Y"),
        "agency": _agency(request.user),
    }
    return render(request, "workspace/register.html", context, status=400 if errors else 200)
