"""Rollups kept in the transaction of each change equal a rebuild from the tables, row for row."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from tinhso.dossiers import services
from tinhso.dossiers.models import Dossier
from tinhso.feedback import services as fb
from tinhso.scoring.models import AgencyNow, DossierDaily, DossierDailyAgency, DossierFact, ReportDaily, ReportFact
from tinhso.scoring.services import rollups_rebuild, rollups_snapshot, rollups_verify

from .conftest import pdf, vn

pytestmark = pytest.mark.django_db


def _many_changes(journeys, staff_x, staff_y, agency_y, citizen_a, citizen_b, province_admin, category):
    j = journeys
    # 1. online, finished and returned on time, rated unsatisfied, complained about
    d1 = j.received(at=vn(2026, 3, 2, 8))
    d1 = j.finish(d1, at=vn(2026, 3, 3, 9))
    services.dossier_rate(actor=citizen_a, dossier=d1, level="unsatisfied", at=vn(2026, 3, 4, 9))
    services.dossier_complain(actor=citizen_a, dossier=d1, text="Cán bộ trả lời chậm", at=vn(2026, 3, 4, 10))
    # 2. two supplement requests (late whatever the clock says), supplied twice, then finished
    d2 = j.received(at=vn(2026, 3, 2, 9))
    for n, day in enumerate((3, 5), start=1):
        d2 = services.dossier_request_supplement(actor=staff_x["specialist"], dossier=d2, reason=f"Thiếu lần {n}",
                                                 items=[{"key": "giay_to", "name": "Giấy tờ kèm theo"}],
                                                 at=vn(2026, 3, day, 9))
        d2 = services.dossier_supply(actor=citizen_a, dossier=d2, files={"giay_to": [pdf()]},
                                     at=vn(2026, 3, day + 1, 9))
    d2 = j.finish(d2, at=vn(2026, 3, 9, 9), return_too=False)
    # 3. fee requested and paid (paused, then resumed), still running
    d3 = j.received(at=vn(2026, 3, 3, 8), proc="fee")
    d3 = services.dossier_request_payment(actor=staff_x["specialist"], dossier=d3, amount=20000, at=vn(2026, 3, 3, 9))
    d3 = services.dossier_pay(actor=citizen_a, dossier=d3, reference="FT123", at=vn(2026, 3, 3, 15))
    # 4. paused now (supplement asked, not supplied)
    d4 = j.received(at=vn(2026, 3, 4, 8), citizen=citizen_b)
    services.dossier_request_supplement(actor=staff_x["receiver"], dossier=d4, reason="Thiếu tờ khai",
                                        items=[{"key": "to_khai", "name": "Tờ khai"}], at=vn(2026, 3, 4, 9))
    # 5. withdrawn after reception; 6. withdrawn before; 7. refused
    d5 = j.received(at=vn(2026, 3, 5, 8))
    services.dossier_withdraw(actor=citizen_a, dossier=d5, reason="Không cần nữa", at=vn(2026, 3, 5, 10))
    d6 = j.submit(at=vn(2026, 3, 5, 11))
    services.dossier_withdraw(actor=citizen_a, dossier=d6, at=vn(2026, 3, 5, 12))
    d7 = j.submit(at=vn(2026, 3, 5, 13))
    services.dossier_refuse(actor=staff_x["receiver"], dossier=d7, reason="Sai thẩm quyền", at=vn(2026, 3, 5, 14))
    # 8. at the desk in Y, papers counted, stopped by the leader
    d8 = j.desk(at=vn(2026, 3, 6, 8), staff=staff_y, agency=agency_y)
    services.dossier_assign(actor=staff_y["leader"], dossier=d8, assignee=staff_y["specialist"], at=vn(2026, 3, 6, 9))
    d8 = services.dossier_request_supplement(actor=staff_y["specialist"], dossier=d8, reason="Thiếu",
                                             items=[], at=vn(2026, 3, 6, 10))
    services.dossier_stop(actor=staff_y["leader"], dossier=d8, reason="Quá hạn bổ sung", at=vn(2026, 3, 20, 10))
    # 9. an apology with a new appointment; 10. a refused second rating changes nothing
    d9 = j.received(at=vn(2026, 3, 9, 8))
    services.dossier_apologize(actor=staff_x["leader"], dossier=d9, reason="Chờ xác minh",
                               new_due_at=vn(2026, 4, 30, 17), at=vn(2026, 3, 12, 9))
    with pytest.raises(ValidationError):
        services.dossier_rate(actor=citizen_a, dossier=d1, level="satisfied")
    # reports: answered and rated, reopened, declined
    r1 = fb.report_create(actor=citizen_a, category=category, description="Ổ gà trước chợ", address="Chợ Đồng Quang")
    fb.report_accept(actor=province_admin, report=r1)
    fb.report_start(actor=staff_x["specialist"], report=r1)
    fb.report_answer(actor=staff_x["specialist"], report=r1, answer="Đã vá")
    fb.report_rate(actor=citizen_a, report=r1, rating="unsatisfied")
    fb.report_reopen(actor=citizen_a, report=r1, reason="Vẫn còn ổ gà")
    r2 = fb.report_create(actor=citizen_b, category=category, description="Đèn hỏng", address="Ngõ 5")
    fb.report_reject(actor=province_admin, report=r2, reason="not_enough", note="Hãy ghi rõ vị trí")
    r3 = fb.report_create(actor=citizen_b, category=category, description="Rác", address="Ngõ 7")
    fb.report_accept(actor=province_admin, report=r3)
    fb.report_answer(actor=staff_x["leader"], report=r3, answer="Đã thu gom")
    fb.report_rate(actor=citizen_b, report=r3, rating="satisfied")
    return [d1, d2, d3, d4, d5, d6, d7, d8, d9]


def test_incremental_rollups_equal_a_rebuild_row_for_row(journeys, staff_x, staff_y, agency_y, citizen_a, citizen_b,
                                                         province_admin, category):
    _many_changes(journeys, staff_x, staff_y, agency_y, citizen_a, citizen_b, province_admin, category)
    kept = rollups_snapshot()
    # what was kept is not empty, and says what happened
    assert DossierFact.objects.count() == 7  # 9 dossiers, 2 never received (withdrawn before, refused)
    assert ReportFact.objects.count() == 3
    now = {r["agency_id"]: r for r in AgencyNow.objects.values()}
    x = now[journeys.ax.pk]
    assert (x["open"], x["paused"], x["open_late_supp"]) == (3, 1, 0)  # d3, d4 (paused), d9
    assert now[agency_y.pk]["open"] == 0
    assert verify_ok()
    counts = rollups_rebuild(actor=None)
    assert counts["dossier_facts"] == 7 and counts["report_facts"] == 3
    assert rollups_snapshot() == kept


def verify_ok() -> bool:
    report = rollups_verify()
    return report["ok"]


def test_verify_notices_a_rollup_that_drifted(journeys):
    journeys.finish(journeys.received(at=vn(2026, 3, 2, 8)), at=vn(2026, 3, 3, 9))
    assert verify_ok()
    DossierDailyAgency.objects.update(done_on_time=5)
    assert not verify_ok()
    rollups_rebuild()
    assert verify_ok() and DossierDailyAgency.objects.get().done_on_time == 1


def test_each_change_moves_the_daily_rows_in_its_own_transaction(journeys, staff_x):
    d = journeys.received(at=vn(2026, 3, 2, 8))
    row = DossierDaily.objects.get()
    assert (row.day, row.received, row.open, row.finished) == (dt.date(2026, 3, 2), 1, 1, 0)
    journeys.finish(d, at=vn(2026, 3, 3, 9))
    row.refresh_from_db()
    assert (row.received, row.open, row.finished, row.done_on_time, row.processed) == (1, 0, 1, 1, 1)
    # Mon 8:30 → Tue 10:00 (approval): 3 h + 4 h on Monday, 2 h 30 on Tuesday (07:30–11:30, 13:30–17:30)
    assert row.processing_seconds == 9 * 3600 + 30 * 60
    assert ReportDaily.objects.count() == 0


def test_the_rollups_move_in_the_changes_own_transaction(journeys, staff_x):
    """A change that fails after scoring's hook has written (here: another hook raises) leaves neither the
    dossier nor the rollups changed."""
    from tinhso.dossiers import hooks

    d = journeys.submit(at=vn(2026, 3, 2, 8))
    before = rollups_snapshot()

    def boom(*, dossier):
        raise RuntimeError("a later step of the same change fails")

    hooks.on_dossier_changed(boom)
    try:
        with pytest.raises(RuntimeError):
            services.dossier_receive(actor=staff_x["receiver"], dossier=d, at=vn(2026, 3, 2, 9))
    finally:
        hooks._after_change.remove(boom)
    assert rollups_snapshot() == before and Dossier.objects.get(pk=d.pk).state == 1
    services.dossier_receive(actor=staff_x["receiver"], dossier=d, at=vn(2026, 3, 2, 9))
    assert DossierFact.objects.filter(dossier_id=d.pk).exists()


def test_rebuild_command_prints_counts_and_verify_exits_zero(journeys, capsys):
    journeys.received(at=vn(2026, 3, 2, 8))
    call_command("rollups", "rebuild")
    assert '"dossier_facts": 1' in capsys.readouterr().out
    call_command("rollups", "verify")
    assert '"ok": true' in capsys.readouterr().out
