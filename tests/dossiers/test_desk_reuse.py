"""At the one-stop desk the receiver looks a citizen up by CCCD and, with the citizen's consent, uses the
papers of the citizen's personal data store instead of asking for them again (issue 4, “Một lần khai báo,
trọn đời phục vụ”). Only the papers of the citizen looked up are ever offered; a forged reference or a
missing consent is refused and nothing is saved."""
from __future__ import annotations

import itertools

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tinhso.catalog.models import Component, Field, FormField, Procedure, Step
from tinhso.datastore.models import DataAccessLog, StoredDocument
from tinhso.dossiers import services
from tinhso.dossiers.models import Dossier
from tinhso.events.models import DomainEvent

from .conftest import make_citizen

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_seq = itertools.count(1)


def pdf(name="giay-to.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def login(client, user):
    if user.kind == "official":
        Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP,
                                            defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}})
    client.force_login(user)
    return client


def _procedure(code, name, result_name, components, fields):
    field, _ = Field.objects.get_or_create(code="ho_tich_quay", defaults={"name": "Hộ tịch (kiểm thử tại quầy)"})
    proc = Procedure.objects.create(
        code=code, name=name, field=field, level="commune", agency_kind="ubnd_xa", online_level="toan_trinh",
        legal_basis="Luật Hộ tịch 2014", subjects="Công dân Việt Nam", result_name=result_name,
        time_kind="working_days", time_amount=5, source_document="Luật Hộ tịch 2014", published=True)
    for pos, (key, cname) in enumerate(components, start=1):
        Component.objects.create(procedure=proc, position=pos, key=key, name=cname, count_original=1,
                                 mandatory=True, file_types="pdf,jpg,png")
    for pos, (key, label, ftype, required) in enumerate(fields, start=1):
        FormField.objects.create(procedure=proc, position=pos, key=key, label=label, type=ftype, required=required,
                                 max_length=100 if ftype == "text" else None)
    for pos, (kind, role, share) in enumerate(
            [("receive", "receiver", 5), ("process", "specialist", 70), ("approve", "leader", 20),
             ("return", "receiver", 5)], start=1):
        Step.objects.create(procedure=proc, position=pos, kind=kind, role=role, share_percent=share)
    return proc


@pytest.fixture(autouse=True)
def _registry_not_configured(settings):
    """No population registry in these tests: the identity check answers “unavailable” at once."""
    settings.REGISTRY_URL = ""


@pytest.fixture
def father(db):
    return make_citizen("019090001234", "Nguyễn Văn An")


@pytest.fixture
def mother(db):
    return make_citizen("019190004321", "Trần Thị Bình")


@pytest.fixture
def stranger(db):
    return make_citizen("019085007777", "Lê Văn Cường")


@pytest.fixture
def khai_sinh(db):
    return _procedure("1.001193", "Đăng ký khai sinh", "Giấy khai sinh",
                      [("to_khai", "Tờ khai đăng ký khai sinh"), ("giay_chung_sinh", "Giấy chứng sinh")],
                      [("ho_ten_tre", "Họ, chữ đệm, tên của trẻ", "text", True),
                       ("so_cccd_me", "Số CCCD của người mẹ", "cccd", False)])


@pytest.fixture
def correction(db):
    """'Đăng ký thay đổi, cải chính… hộ tịch': its component 'giay_to_lien_quan' is met by a birth certificate."""
    return _procedure("1.004884", "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch",
                      "Trích lục cải chính hộ tịch",
                      [("to_khai", "Tờ khai đăng ký thay đổi, cải chính"),
                       ("giay_to_lien_quan", "Giấy tờ làm căn cứ cho việc thay đổi, cải chính")],
                      [("ho_ten", "Họ và tên người yêu cầu", "text", False),
                       ("ho_ten_tre", "Họ, chữ đệm, tên của người được cải chính", "text", False),
                       ("noi_dung", "Nội dung đề nghị", "text", True)])


@pytest.fixture
def birth_certificate(father, mother, khai_sinh, agency_x, staff_x):
    """A khai sinh dossier of the father naming the mother by CCCD, approved: the certificate lands in both stores."""
    d = services.dossier_submit_online(
        actor=father, procedure=khai_sinh, agency=agency_x,
        form_data={"ho_ten_tre": "Nguyễn Minh Khôi", "so_cccd_me": mother.cccd},
        files={"to_khai": [pdf("to-khai.pdf")], "giay_chung_sinh": [pdf("chung-sinh.pdf")]})
    d = services.dossier_receive(actor=staff_x["receiver"], dossier=d)
    d = services.dossier_submit_for_approval(actor=staff_x["specialist"], dossier=d)
    services.dossier_approve(actor=staff_x["leader"], dossier=d)
    return StoredDocument.objects.get(owner=father)


def _post(correction, citizen, **extra):
    return {"thu_tuc": correction.code, "channel": "1", "return_method": "desk",
            "applicant_name": citizen.full_name, "applicant_cccd": citizen.cccd,
            "noi_dung": "Cải chính chữ đệm của con trong giấy khai sinh", **extra}


def _counts():
    return Dossier.objects.count(), DataAccessLog.objects.count(), DomainEvent.objects.count()


def test_lookup_prefills_and_offers_the_citizens_stored_paper(client, staff_x, birth_certificate, father,
                                                              correction):
    login(client, staff_x["receiver"])
    page = client.get(reverse("web:desk_register"), {"thu_tuc": correction.code, "cccd": father.cccd})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Nguyễn Văn An"' in html  # applicant and form prefilled from the profile
    assert 'value="Nguyễn Minh Khôi"' in html  # form prefilled from the stored birth certificate
    label = (f"Dùng giấy tờ trong kho: {birth_certificate.title} ({birth_certificate.number}, cấp ngày "
             f"{birth_certificate.issued_on.strftime('%d/%m/%Y')})")
    assert label in html
    assert f'name="kho_giay_to_lien_quan" value="{birth_certificate.pk}"' in html
    assert 'name="reuse_consent"' in html and "Công dân đồng ý cho dùng giấy tờ trong kho dữ liệu cá nhân" in html
    # Looking the citizen up showed their stored papers to the receiver: that read is on the citizen's record.
    log = DataAccessLog.objects.get()
    assert (log.citizen, log.official, log.dossier, log.what, log.allowed) == (
        father, staff_x["receiver"], None, "list", True)


def test_reuse_with_consent_attaches_the_paper_and_the_citizen_sees_who_used_it(
        client, staff_x, birth_certificate, father, correction):
    login(client, staff_x["receiver"])
    response = client.post(reverse("web:desk_register"), _post(
        correction, father, kho_giay_to_lien_quan=str(birth_certificate.pk), reuse_consent="1",
        component_to_khai=pdf("to-khai.pdf")))
    d = Dossier.objects.get(procedure_code=correction.code)
    assert response.status_code == 302 and response["Location"] == reverse("web:official_dossier", args=[d.pk])
    component = d.components.get(key="giay_to_lien_quan")
    assert component.reused_from == birth_certificate and component.reuse_source == "datastore"
    assert d.applicant == father
    assert d.events.get().data["reuse_consent"] is True
    log = DataAccessLog.objects.get()
    assert (log.citizen, log.official, log.dossier, log.document, log.what, log.allowed) == (
        father, staff_x["receiver"], d, birth_certificate, "reuse", True)

    client.logout()
    html = login(client, father).get(reverse("web:who_used_my_data")).content.decode()
    assert staff_x["receiver"].full_name in html and d.code in html


def test_reuse_without_consent_is_refused_and_nothing_is_saved(client, staff_x, birth_certificate, father,
                                                                correction):
    login(client, staff_x["receiver"])
    before = _counts()
    response = client.post(reverse("web:desk_register"), _post(
        correction, father, kho_giay_to_lien_quan=str(birth_certificate.pk)))
    assert response.status_code == 400
    assert _counts() == before
    html = response.content.decode()
    assert 'href="#id_reuse_consent"' in html and "Công dân đồng ý" in html
    assert 'id="id_reuse_consent"' in html
    # the receiver's choice is kept for the second try
    assert f'name="kho_giay_to_lien_quan" value="{birth_certificate.pk}" checked' in html


def test_forged_reference_to_another_citizens_paper_is_refused_naming_the_component(
        client, staff_x, birth_certificate, mother, stranger, correction):
    mothers = StoredDocument.objects.get(owner=mother)
    login(client, staff_x["receiver"])
    before = _counts()
    response = client.post(reverse("web:desk_register"), _post(
        correction, stranger, kho_giay_to_lien_quan=str(mothers.pk), reuse_consent="1"))
    assert response.status_code == 400
    assert _counts() == before
    html = response.content.decode()
    assert 'href="#id_component_giay_to_lien_quan"' in html
    assert "“Giấy tờ làm căn cứ cho việc thay đổi, cải chính”: giấy tờ được chọn không có trong kho" in html
    assert mothers.title not in html  # nothing about the mother's paper is revealed


def test_page_only_ever_offers_the_looked_up_citizens_papers(client, staff_x, birth_certificate, father, mother,
                                                             stranger, correction):
    mothers = StoredDocument.objects.get(owner=mother)
    login(client, staff_x["receiver"])
    url = reverse("web:desk_register")
    for cccd in (stranger.cccd, "019099999999", ""):  # no paper, no account, no lookup
        html = client.get(url, {"thu_tuc": correction.code, "cccd": cccd}).content.decode()
        assert 'name="kho_giay_to_lien_quan"' not in html and 'name="reuse_consent"' not in html
    html = client.get(url, {"thu_tuc": correction.code, "cccd": mother.cccd}).content.decode()
    assert f'name="kho_giay_to_lien_quan" value="{mothers.pk}"' in html
    assert f'name="kho_giay_to_lien_quan" value="{birth_certificate.pk}"' not in html  # the father's copy
