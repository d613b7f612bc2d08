"""The lifecycle of a report: states, the allowed transitions as a table, and the typed error.

new → accepted | rejected; accepted → assigned (routed to an agency) → in_progress → answered → closed;
answered/closed → assigned again when the reporter reopens within 7 days."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Report

State = Report.State

# action → (states it may start from, state it leads to; None = the action decides)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "accept": (frozenset({State.NEW}), State.ACCEPTED),
    "reject": (frozenset({State.NEW, State.ACCEPTED}), State.REJECTED),
    "assign": (frozenset({State.ACCEPTED}), State.ASSIGNED),
    "reroute": (frozenset({State.ACCEPTED, State.ASSIGNED, State.IN_PROGRESS}), State.ASSIGNED),
    "start": (frozenset({State.ASSIGNED}), State.IN_PROGRESS),
    "answer": (frozenset({State.ASSIGNED, State.IN_PROGRESS}), State.ANSWERED),
    "close": (frozenset({State.ANSWERED}), State.CLOSED),
    "reopen": (frozenset({State.ANSWERED, State.CLOSED}), State.ASSIGNED),
    "rate": (frozenset({State.ANSWERED, State.CLOSED}), None),
}

# Events the public may see (and Open311 lists as service request updates).
PUBLIC_ACTIONS = frozenset({"accepted", "rejected", "assigned", "in_progress", "answered", "closed", "reopened"})
# States the public (and Open311's GET) may see.
PUBLIC_STATES = (State.ACCEPTED, State.ASSIGNED, State.IN_PROGRESS, State.ANSWERED, State.CLOSED)
# States with a running clock (due-soon and late warnings).
OPEN_STATES = (State.ACCEPTED, State.ASSIGNED, State.IN_PROGRESS)


class TransitionNotAllowed(ValidationError):
    """The report is not in a state where this action is allowed."""


def check(action: str, report: Report) -> str | None:
    """The target state of `action` on `report`, or TransitionNotAllowed naming the current state."""
    sources, target = TRANSITIONS[action]
    if report.state not in sources:
        raise TransitionNotAllowed(
            _("Phản ánh đang ở trạng thái “%(state)s”: không thể thực hiện thao tác này.")
            % {"state": report.get_state_display()})
    return target
