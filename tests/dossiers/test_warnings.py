"""Due-soon and late warnings: to the official and their leader, in the app and by e-mail, once."""
import pytest
from django.core import mail

from tinhso.dossiers import services
from tinhso.dossiers.models import Warning
from tinhso.dossiers.warnings import warnings_email, warnings_sweep

from .conftest import vn

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files):
    d = services.dossier_submit_online(actor=citizen_a, procedure=birth_procedure, agency=agency_x,
                                       form_data=good_form, files=good_files(), at=vn(2026, 3, 2, 8, 0))
    d = services.dossier_receive(actor=staff_x["receiver"], dossier=d, at=vn(2026, 3, 2, 8, 0))
    return services.dossier_assign(actor=staff_x["leader"], dossier=d, assignee=staff_x["specialist"],
                                   at=vn(2026, 3, 2, 9, 0))


def test_nothing_is_owed_well_before_the_due_time(received):
    assert received.due_at == vn(2026, 3, 9, 8, 0)
    assert warnings_sweep(now=vn(2026, 3, 4, 9, 0)) == {"dossier_warnings": 0, "step_warnings": 0}
    assert Warning.objects.count() == 0


def test_one_working_day_before_warns_the_handler_and_the_leader_once(received, staff_x):
    # Friday 06/03 09:00 is less than one working day before Monday 09/03 08:00 (the weekend is not counted).
    warnings_sweep(now=vn(2026, 3, 6, 9, 0))
    dossier_warnings = Warning.objects.filter(step=0, kind="due_soon")
    assert set(dossier_warnings.values_list("recipient_id", flat=True)) == {staff_x["specialist"].pk, staff_x["leader"].pk}
    total = Warning.objects.count()
    again = warnings_sweep(now=vn(2026, 3, 6, 9, 5))
    assert again == {"dossier_warnings": 0, "step_warnings": 0} and Warning.objects.count() == total


def test_late_warning_then_emails_sent_once(received, staff_x):
    warnings_sweep(now=vn(2026, 3, 9, 8, 1))
    late = Warning.objects.filter(step=0, kind="late")
    assert late.count() == 2
    sent = warnings_email()
    assert sent == Warning.objects.count() and len(mail.outbox) == sent
    assert any("Quá hạn" in m.subject and received.code in m.subject for m in mail.outbox)
    assert warnings_email() == 0 and len(mail.outbox) == sent


def test_paused_dossier_is_not_warned(received, staff_x):
    services.dossier_request_supplement(actor=staff_x["specialist"], dossier=received, reason="Bổ sung tờ khai",
                                        items=[], at=vn(2026, 3, 3, 8, 0))
    assert warnings_sweep(now=vn(2026, 3, 20, 8, 0)) == {"dossier_warnings": 0, "step_warnings": 0}


def test_unassigned_dossier_warns_the_receivers_and_the_leaders_not_inactive_officials(
        citizen_a, birth_procedure, agency_x, staff_x, staff_y, good_form, good_files):
    d = services.dossier_submit_online(actor=citizen_a, procedure=birth_procedure, agency=agency_x,
                                       form_data=good_form, files=good_files(), at=vn(2026, 3, 2, 8, 0))
    d = services.dossier_receive(actor=staff_x["receiver"], dossier=d, at=vn(2026, 3, 2, 8, 0))
    staff_x["specialist"].is_active = False
    staff_x["specialist"].save(update_fields=["is_active"])
    warnings_sweep(now=vn(2026, 3, 9, 8, 1))
    on_dossier = set(Warning.objects.filter(step=0, kind="late").values_list("recipient_id", flat=True))
    assert on_dossier == {staff_x["receiver"].pk, staff_x["leader"].pk}
    everyone = set(Warning.objects.values_list("recipient_id", flat=True))
    assert staff_x["specialist"].pk not in everyone
    assert not everyone & {u.pk for u in staff_y.values()}  # nobody of another agency
    step = d.steps.get(status="active")
    on_step = set(Warning.objects.filter(step=step.order).values_list("recipient_id", flat=True))
    holders = {u.pk for u in staff_x.values() if u.is_active and step.role in {r.role for r in u.official.roles.all()}}
    assert on_step == holders | {staff_x["leader"].pk}


def test_due_soon_then_late_each_once_and_flags_set(received, staff_x):
    first = warnings_sweep(now=vn(2026, 3, 6, 9, 0))
    assert first["dossier_warnings"] == 2
    late = warnings_sweep(now=vn(2026, 3, 9, 8, 1))
    assert late["dossier_warnings"] == 2
    assert Warning.objects.filter(step=0, kind="due_soon").count() == 2
    assert Warning.objects.filter(step=0, kind="late").count() == 2
    received.refresh_from_db()
    assert received.warned_due_soon and received.warned_late
    assert warnings_sweep(now=vn(2026, 3, 10, 8, 0)) == {"dossier_warnings": 0, "step_warnings": 0}


def test_late_without_a_due_soon_sweep_sets_both_flags(received, staff_x):
    # The sweep did not run during the last working day: the late warning alone, no belated "due soon".
    warnings_sweep(now=vn(2026, 3, 9, 8, 1))
    assert not Warning.objects.filter(kind="due_soon", step=0).exists()
    received.refresh_from_db()
    assert received.warned_due_soon and received.warned_late
