"""Every result a dossier produces lands in the store of each person it concerns (once-only)."""
from tinhso.datastore.models import StoredDocument
from tinhso.datastore.vocabulary import DocType, Origin
from tinhso.events.models import DomainEvent


def test_birth_certificate_lands_in_each_parents_store(issued_birth_certificate, father, mother, stranger):
    d = issued_birth_certificate
    fathers = StoredDocument.objects.get(owner=father)
    mothers = StoredDocument.objects.get(owner=mother)
    for doc in (fathers, mothers):
        assert doc.doc_type == DocType.BIRTH and doc.origin == Origin.TINHSO and doc.verified
        assert doc.source_dossier == d and doc.number == d.code and doc.issuer == d.agency.name
        # By reference: the same stored result file, not a copy.
        assert doc.file.name == d.result_file.name and len(doc.sha256) == 64
        assert doc.data["ho_ten_tre"] == "Nguyễn Minh Khôi"
    assert not StoredDocument.objects.filter(owner=stranger).exists()
    assert DomainEvent.objects.filter(name="datastore.result_delivered").count() == 2


def test_marital_status_paper_is_valid_six_months():
    from tinhso.datastore.services import _add_months
    import datetime as dt

    assert _add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert _add_months(dt.date(2026, 1, 15), 6) == dt.date(2026, 7, 15)


def test_refused_approval_puts_nothing_in_the_store(father, birth_procedure, agency_x, staff_x, staff_y):
    import pytest
    from django.core.exceptions import PermissionDenied

    from tinhso.dossiers import services
    from .conftest import pdf

    d = services.dossier_submit_online(actor=father, procedure=birth_procedure, agency=agency_x,
                                       form_data={"ho_ten_tre": "Nguyễn Minh Khôi"},
                                       files={"to_khai": [pdf()], "giay_chung_sinh": [pdf()]})
    d = services.dossier_receive(actor=staff_x["receiver"], dossier=d)
    d = services.dossier_submit_for_approval(actor=staff_x["specialist"], dossier=d)
    with pytest.raises(PermissionDenied):
        services.dossier_approve(actor=staff_y["leader"], dossier=d)
    assert not StoredDocument.objects.exists()
