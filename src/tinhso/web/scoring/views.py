"""Minimal scoring pages (the IOC screens come on top of scoring.selectors): the rankings of agencies and
communes by index 766, and an official's evaluation sheet with its PDF and Excel downloads."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from tinhso.scoring import access, selectors, sheets
from tinhso.scoring.periods import period_parse

from ..workspace.common import official_required


def _period(request, default: str):
    """The period of `?ky=` (2026, 2026-Q1, 2026-03); a bad one falls back to the current one, with the message."""
    try:
        return period_parse(request.GET.get("ky", ""), default=default), []
    except ValidationError as exc:
        return period_parse("", default=default), [m for msgs in exc.message_dict.values() for m in msgs]


@require_safe
@official_required
def rankings(request):
    access.require_rankings(request.user)
    period, errors = _period(request, "month")
    return render(request, "scoring/rankings.html", {
        "period": period, "errors": errors,
        "agencies": selectors.ranking("agencies", period), "communes": selectors.ranking("communes", period),
    })


@require_safe
@official_required
def my_evaluation(request):
    return redirect("web:scoring_evaluation", user_id=request.user.pk)


@require_safe
@official_required
def evaluation(request, user_id: int):
    target = access.official_for_viewer(request.user, user_id)
    period, errors = _period(request, "year")
    ev = selectors.official_evaluation(target, period)
    return render(request, "scoring/evaluation.html", {"ev": ev, "rows": sheets.rows(ev), "period": period,
                                                       "errors": errors, "target": target})


def _download(request, user_id: int, kind: str):
    target = access.official_for_viewer(request.user, user_id)
    period, _errors = _period(request, "year")
    ev = selectors.official_evaluation(target, period)
    name = f"danh-gia-{target.get_username()}-{period.key}"
    if kind == "pdf":
        response = HttpResponse(sheets.evaluation_pdf(ev, target), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    else:
        response = HttpResponse(sheets.evaluation_xlsx(ev, target),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@official_required
def evaluation_pdf(request, user_id: int):
    return _download(request, user_id, "pdf")


@require_safe
@official_required
def evaluation_xlsx(request, user_id: int):
    return _download(request, user_id, "xlsx")
