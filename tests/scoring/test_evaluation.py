"""Officials' evaluation from the processing control slips, for a hand-built case; the sheet as PDF and Excel."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tinhso.dossiers import services
from tinhso.dossiers.models import DossierStep, Handover
from tinhso.feedback import services as fb
from tinhso.scoring import selectors, sheets
from tinhso.scoring.periods import period_parse

from .conftest import pdf, vn

pytestmark = pytest.mark.django_db


def _step_due(d, order=2):
    return DossierStep.objects.get(dossier=d, order=order).due_at


@pytest.fixture
def case(journeys, staff_x, citizen_a, province_admin, category):
    """Three dossiers of X: the specialist hands step 2 over early (d1), on time (d2, after one supplement
    request) and late (d3); the leader approves d1 early and d2 late; the receiver returns d1; the citizen
    rates d1 satisfied and d2 unsatisfied; the specialist answers a citizen report on time."""
    j, s = journeys, staff_x
    d1 = j.received(at=vn(2026, 3, 2, 8))
    d1 = j.finish(d1, at=vn(2026, 3, 3, 9))  # submit, approve, return: all well before their steps' due times
    services.dossier_rate(actor=citizen_a, dossier=d1, level="satisfied", at=vn(2026, 3, 4, 9))

    d2 = j.received(at=vn(2026, 3, 2, 9))
    d2 = services.dossier_request_supplement(actor=s["specialist"], dossier=d2, reason="Thiếu giấy tờ kèm theo",
                                             items=[{"key": "giay_to", "name": "Giấy tờ kèm theo"}], at=vn(2026, 3, 3, 9))
    d2 = services.dossier_supply(actor=citizen_a, dossier=d2, files={"giay_to": [pdf()]}, at=vn(2026, 3, 3, 15))
    due = _step_due(d2)
    d2 = services.dossier_submit_for_approval(actor=s["specialist"], dossier=d2, at=due - dt.timedelta(minutes=10))
    late = _step_due(d2, order=3) + dt.timedelta(hours=2)  # the approval step's own due time, passed
    d2 = services.dossier_approve(actor=s["leader"], dossier=d2, result_file=pdf(), at=late)
    services.dossier_rate(actor=citizen_a, dossier=d2, level="unsatisfied", at=late + dt.timedelta(days=1))

    d3 = j.received(at=vn(2026, 3, 4, 9))
    services.dossier_submit_for_approval(actor=s["specialist"], dossier=d3, at=_step_due(d3) + dt.timedelta(days=1))

    report = fb.report_create(actor=citizen_a, category=category, description="Cây đổ", address="Đường Bắc Sơn")
    fb.report_accept(actor=province_admin, report=report)
    fb.report_answer(actor=s["specialist"], report=report, answer="Đã dọn")
    return d1, d2, d3


def test_the_specialists_figures_follow_the_control_slips(case, staff_x):
    march = period_parse("2026-03")
    slips = Handover.objects.filter(giver=staff_x["specialist"]).order_by("dossier_id").values_list("timeliness", flat=True)
    assert list(slips) == ["early", "on_time", "late"]
    ev = selectors.official_evaluation(staff_x["specialist"], march)
    assert (ev["steps"], ev["steps_early"], ev["steps_on_time"], ev["steps_late"]) == (3, 1, 1, 1)
    assert ev["steps_on_time_rate"] == Decimal("66.67")
    assert ev["dossiers_handled"] == 3 and ev["supplement_requests"] == 1
    assert (ev["rated"], ev["rated_satisfied"], ev["rated_unsatisfied"]) == (2, 1, 1)
    assert ev["reports_answered"] == 0  # answered now (not in March 2026 unless today is)
    year = selectors.official_evaluation(staff_x["specialist"], period_parse("", default="year"))
    assert year["reports_answered"] == 1 and year["reports_answered_on_time"] == 1


def test_the_leader_and_the_receiver(case, staff_x):
    march = period_parse("2026-03")
    leader = selectors.official_evaluation(staff_x["leader"], march)
    assert (leader["approvals"], leader["steps"], leader["steps_late"]) == (2, 2, 1)  # d2 approved after its step's due time
    receiver = selectors.official_evaluation(staff_x["receiver"], march)
    assert (receiver["dossiers_received"], receiver["returns"], receiver["dossiers_handled"]) == (3, 1, 3)
    april = selectors.official_evaluation(staff_x["receiver"], period_parse("2026-04"))
    assert april["dossiers_received"] == 0 and april["steps"] == 0 and april["steps_on_time_rate"] is None


def test_the_sheet_as_pdf_and_excel(case, staff_x):
    ev = selectors.official_evaluation(staff_x["specialist"], period_parse("2026-03"))
    data = sheets.evaluation_pdf(ev, staff_x["specialist"])
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "PHIẾU TỔNG HỢP KẾT QUẢ GIẢI QUYẾT HỒ SƠ" in text and "Tháng 03/2026" in text
    assert staff_x["specialist"].full_name in text
    book = load_workbook(io.BytesIO(sheets.evaluation_xlsx(ev, staff_x["specialist"])))
    cells = {row[0]: row[1] for row in book.active.iter_rows(values_only=True) if row and row[0]}
    assert cells["— quá hạn"] == "1" and cells["— trước hạn"] == "1"
    assert cells["Số lần yêu cầu bổ sung, hoàn thiện hồ sơ"] == "1"
