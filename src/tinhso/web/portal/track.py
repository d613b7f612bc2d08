"""Public tracking by dossier code: state, dates and steps only, never personal data.

Kept lean (it is the most visited page): one selector call (one query), no session writes, and for anonymous
visitors the frame around the content rendered once (web/frame.py)."""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tinhso.dossiers import selectors

from ..frame import render_framed
from .display import step_rows, when
from .forms import TrackForm
from .track_html import tracking_body


@require_safe
def track(request):
    form = TrackForm(data=request.GET) if "ma" in request.GET else TrackForm()
    if form.is_bound and form.is_valid():
        return redirect("web:track_code", code=form.cleaned_data["ma"].strip())
    return render(request, "portal/track.html", {"form": form})


@require_safe
def track_code(request, code: str):
    try:
        t = selectors.tracking_by_code(code=code)
    except Http404:
        return render(request, "portal/track_not_found.html", {"code": code, "form": TrackForm(initial={"ma": code})},
                      status=404)
    dates = {"submitted": when(t.submitted_at), "received": when(t.received_at), "due": when(t.due_at),
             "finished": when(t.finished_at), "returned": when(t.returned_at)}
    return render_framed(request, tracking_body(t, step_rows(t.steps), dates), title=f"{_('Hồ sơ')} {t.code}")
