"""Public tracking by dossier code: state, dates and steps only, never personal data.

Kept lean (it is the most visited page): one selector call (two small queries), no session writes."""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render

from tinhso.dossiers import selectors

from .display import STEP_STATUS_WORDS
from .forms import TrackForm


def track(request):
    form = TrackForm(data=request.GET) if "ma" in request.GET else TrackForm()
    if form.is_bound and form.is_valid():
        return redirect("web:track_code", code=form.cleaned_data["ma"].strip())
    return render(request, "portal/track.html", {"form": form})


def track_code(request, code: str):
    try:
        t = selectors.tracking_by_code(code=code)
    except Http404:
        return render(request, "portal/track_not_found.html", {"code": code, "form": TrackForm(initial={"ma": code})},
                      status=404)
    steps = [{"name": s.name, "status": s.status, "status_label": STEP_STATUS_WORDS.get(s.status, s.status),
              "due_at": s.due_at, "finished_at": s.finished_at} for s in t.steps]
    return render(request, "portal/track_code.html", {"t": t, "steps": steps})
