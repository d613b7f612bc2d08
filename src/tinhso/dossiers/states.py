"""The 10 dossier states of the National Public Service Portal and the transitions between them.

State codes are those synchronised to the national portal (DOMAIN.md §2). Every service that changes
a dossier's state looks its action up here: an action not in the table for the current state raises
`TransitionNotAllowed`, whose message tells the user, in Vietnamese, what state the dossier is in.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _, gettext_lazy


class State(models.IntegerChoices):
    SUBMITTED = 1, gettext_lazy("Mới đăng ký")
    RECEIVED = 2, gettext_lazy("Được tiếp nhận")
    REFUSED = 3, gettext_lazy("Không được tiếp nhận")
    PROCESSING = 4, gettext_lazy("Đang xử lý")
    SUPPLEMENT = 5, gettext_lazy("Yêu cầu bổ sung giấy tờ")
    PAYMENT = 6, gettext_lazy("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, gettext_lazy("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, gettext_lazy("Dừng xử lý")
    FINISHED = 9, gettext_lazy("Đã xử lý xong")
    RETURNED = 10, gettext_lazy("Đã trả kết quả")


class Channel(models.IntegerChoices):
    DESK = 1, gettext_lazy("Trực tiếp")
    ONLINE = 2, gettext_lazy("Trực tuyến")
    POST = 3, gettext_lazy("Bưu chính công ích")


class Action(models.TextChoices):
    SUBMIT = "submit", gettext_lazy("Nộp hồ sơ trực tuyến")
    REGISTER = "register", gettext_lazy("Tiếp nhận tại quầy / qua bưu chính")
    RECEIVE = "receive", gettext_lazy("Tiếp nhận hồ sơ")
    REFUSE = "refuse", gettext_lazy("Từ chối tiếp nhận")
    ASSIGN = "assign", gettext_lazy("Chuyển xử lý")
    FORWARD = "forward", gettext_lazy("Chuyển tiếp")
    SUBMIT_APPROVAL = "submit_approval", gettext_lazy("Trình phê duyệt")
    REQUEST_SUPPLEMENT = "request_supplement", gettext_lazy("Yêu cầu bổ sung")
    SUPPLY = "supply", gettext_lazy("Công dân bổ sung hồ sơ")
    REQUEST_PAYMENT = "request_payment", gettext_lazy("Yêu cầu nộp phí, lệ phí")
    PAY = "pay", gettext_lazy("Công dân nộp phí, lệ phí")
    WITHDRAW = "withdraw", gettext_lazy("Công dân rút hồ sơ")
    STOP = "stop", gettext_lazy("Dừng xử lý")
    APPROVE = "approve", gettext_lazy("Phê duyệt")
    RETURN = "return", gettext_lazy("Trả kết quả")
    APOLOGIZE = "apologize", gettext_lazy("Xin lỗi và hẹn lại ngày trả")
    ATTACH_RESULT = "attach_result", gettext_lazy("Đính kèm kết quả")
    RATE = "rate", gettext_lazy("Đánh giá")
    COMPLAIN = "complain", gettext_lazy("Phản ánh, kiến nghị")


# (action, from state) -> to state
TRANSITIONS: dict[tuple[str, int | None], int] = {
    (Action.SUBMIT, None): State.SUBMITTED,
    (Action.REGISTER, None): State.RECEIVED,
    (Action.RECEIVE, State.SUBMITTED): State.RECEIVED,
    (Action.REFUSE, State.SUBMITTED): State.REFUSED,
    (Action.ASSIGN, State.RECEIVED): State.PROCESSING,
    (Action.ASSIGN, State.PROCESSING): State.PROCESSING,
    (Action.FORWARD, State.RECEIVED): State.PROCESSING,
    (Action.FORWARD, State.PROCESSING): State.PROCESSING,
    (Action.SUBMIT_APPROVAL, State.RECEIVED): State.PROCESSING,
    (Action.SUBMIT_APPROVAL, State.PROCESSING): State.PROCESSING,
    (Action.REQUEST_SUPPLEMENT, State.RECEIVED): State.SUPPLEMENT,
    (Action.REQUEST_SUPPLEMENT, State.PROCESSING): State.SUPPLEMENT,
    (Action.SUPPLY, State.SUPPLEMENT): State.PROCESSING,
    (Action.REQUEST_PAYMENT, State.RECEIVED): State.PAYMENT,
    (Action.REQUEST_PAYMENT, State.PROCESSING): State.PAYMENT,
    (Action.PAY, State.PAYMENT): State.PROCESSING,
    (Action.WITHDRAW, State.SUBMITTED): State.WITHDRAWN,
    (Action.WITHDRAW, State.RECEIVED): State.WITHDRAWN,
    (Action.WITHDRAW, State.PROCESSING): State.WITHDRAWN,
    (Action.WITHDRAW, State.SUPPLEMENT): State.WITHDRAWN,
    (Action.WITHDRAW, State.PAYMENT): State.WITHDRAWN,
    (Action.STOP, State.PROCESSING): State.STOPPED,
    (Action.STOP, State.SUPPLEMENT): State.STOPPED,
    (Action.STOP, State.PAYMENT): State.STOPPED,
    (Action.APPROVE, State.PROCESSING): State.FINISHED,
    (Action.ATTACH_RESULT, State.FINISHED): State.FINISHED,
    (Action.APOLOGIZE, State.RECEIVED): State.RECEIVED,
    (Action.APOLOGIZE, State.PROCESSING): State.PROCESSING,
    (Action.RETURN, State.FINISHED): State.RETURNED,
}

OPEN_STATES = frozenset({State.RECEIVED, State.PROCESSING, State.SUPPLEMENT, State.PAYMENT})
PAUSED_STATES = frozenset({State.SUPPLEMENT, State.PAYMENT})
CLOSED_STATES = frozenset({State.REFUSED, State.WITHDRAWN, State.STOPPED, State.FINISHED, State.RETURNED})


@dataclass
class TransitionNotAllowed(Exception):
    action: str
    state: int | None

    def __str__(self) -> str:
        state = State(self.state).label if self.state else _("chưa có")
        return _("Không thể “%(action)s” khi hồ sơ đang ở trạng thái “%(state)s”.") % {
            "action": Action(self.action).label,
            "state": state,
        }


def next_state(action: str, state: int | None) -> int:
    try:
        return TRANSITIONS[(action, state)]
    except KeyError:
        raise TransitionNotAllowed(action, state) from None


def allowed_actions(state: int | None) -> list[str]:
    return [a for (a, s) in TRANSITIONS if s == state]
