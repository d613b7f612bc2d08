"""Who sees a dossier forwarded to another agency, and the inbox boxes computed without joins (each
dossier once, counts equal to the lists)."""
import pytest
from django.http import Http404

from tinhso.dossiers import access, selectors, services
from tinhso.dossiers.models import DossierStep
from tinhso.places.models import Agency

from .conftest import make_official

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files):
    d = services.dossier_submit_online(actor=citizen_a, procedure=birth_procedure, agency=agency_x,
                                       form_data=good_form, files=good_files())
    return services.dossier_receive(actor=staff_x["receiver"], dossier=d)


def boxes(user) -> dict[str, list[int]]:
    return {box: list(selectors.inbox(user=user, box=box).values_list("pk", flat=True)) for box in selectors.INBOXES}


def test_a_dossier_forwarded_to_another_agency_is_seen_there_and_still_at_home(received, staff_x, staff_y,
                                                                               agency_y, communes):
    agency_z = Agency.objects.create(code="000.33.19.H55", name="UBND khác", kind="ubnd_xa", province_id="19",
                                     commune=communes[0])

    outsider = make_official(agency_z, "specialist")
    with pytest.raises(Http404):
        access.dossier_for_actor(staff_y["specialist"], pk=received.pk)
    services.dossier_forward(actor=staff_x["specialist"], dossier=received, agency=agency_y, note="Phối hợp")
    assert DossierStep.objects.filter(dossier=received, agency=agency_y, forwarded=True).count() == 1
    for user in (staff_y["specialist"], staff_x["specialist"]):
        assert access.dossier_for_actor(user, pk=received.pk).pk == received.pk
        assert boxes(user)["all"] == [received.pk]  # once, not once per step
    assert received.pk in boxes(staff_y["specialist"])["to_process"]
    assert received.pk not in boxes(staff_x["specialist"])["to_process"]
    with pytest.raises(Http404):
        access.dossier_for_actor(outsider, pk=received.pk)
    assert boxes(outsider)["all"] == []


def test_counts_equal_the_lists_of_every_box(received, staff_x, citizen_a, birth_procedure, agency_x, good_form,
                                             good_files):
    services.dossier_submit_online(actor=citizen_a, procedure=birth_procedure, agency=agency_x,
                                   form_data=good_form, files=good_files())
    for user in staff_x.values():
        lists = boxes(user)
        counts = selectors.inbox_counts(user=user)
        assert counts == {box: len(ids) for box, ids in lists.items() if box != "all"}
        assert all(len(ids) == len(set(ids)) for ids in lists.values())
    assert selectors.inbox_counts(user=staff_x["receiver"])["new"] == 1
    assert selectors.inbox_counts(user=staff_x["specialist"])["to_process"] == 1


def test_to_process_is_the_active_step_assigned_to_me_or_to_no_one(received, staff_x, agency_x):
    other = make_official(agency_x, "specialist")
    assert received.pk in boxes(other)["to_process"]  # unassigned: every specialist of the agency
    services.dossier_assign(actor=staff_x["leader"], dossier=received, assignee=staff_x["specialist"])
    assert received.pk in boxes(staff_x["specialist"])["to_process"]
    assert received.pk not in boxes(other)["to_process"]  # assigned to a colleague


def test_papers_open_to_the_applicant_and_the_handling_agencies_only(client, received, staff_x, staff_y, agency_y,
                                                                     citizen_a, communes):
    """Need to know: the province's viewers see the dossier, not the citizen's papers; an agency a step was
    forwarded to handles it and may open them."""
    from allauth.mfa.models import Authenticator
    from django.urls import reverse

    from tinhso.people.models import Role

    def signed_in(user):  # officials need a second factor before any page
        Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP,
                                            defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}})
        client.force_login(user)

    office = Agency.objects.create(code="000.00.01.H55", name="Văn phòng UBND tỉnh", kind="so", province_id="19")
    ioc = make_official(office, Role.IOC_VIEWER)
    admin = make_official(office, Role.PROVINCE_ADMIN)
    paper = received.components.exclude(file="").first()
    url = reverse("web:official_dossier_component", args=[received.pk, paper.pk])
    for viewer in (ioc, admin):
        assert access.dossier_for_actor(viewer, pk=received.pk).pk == received.pk  # sees the dossier
        assert not access.may_open_papers(viewer, received)
        signed_in(viewer)
        page = client.get(reverse("web:official_dossier", args=[received.pk])).content.decode()
        assert url not in page and "cơ quan giải quyết được mở giấy tờ" in page
        assert client.get(url).status_code == 403
    assert access.may_open_papers(citizen_a, received) and access.may_open_papers(staff_x["receiver"], received)
    assert not access.may_open_papers(staff_y["specialist"], received)
    services.dossier_forward(actor=staff_x["specialist"], dossier=received, agency=agency_y, note="Phối hợp")
    assert access.may_open_papers(staff_y["specialist"], received)
    signed_in(staff_y["specialist"])
    assert client.get(url).status_code == 200
