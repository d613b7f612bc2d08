"""Dossier codes under concurrent receptions: unique, consecutive, without gaps (SQLite and PostgreSQL)."""
import threading

import pytest
from django.db import connection

from tinhso.dossiers import services
from tinhso.dossiers.models import Dossier

from .conftest import vn

CLIENTS = 8
DOSSIERS = 2000


@pytest.mark.django_db(transaction=True)
def test_8_parallel_clients_receiving_2000_dossiers_get_2000_consecutive_codes(birth_procedure, agency_x, staff_x):
    receiver = staff_x["receiver"]
    at = vn(2026, 3, 2, 9, 0)
    errors: list[BaseException] = []
    per_client = DOSSIERS // CLIENTS

    def client(n: int) -> None:
        try:
            for i in range(per_client):
                services.dossier_register_at_desk(
                    actor=receiver, procedure=birth_procedure, agency=agency_x,
                    applicant={"applicant_name": f"Người nộp {n}-{i}"},
                    form_data={"ho_ten_tre": f"Trẻ {n}-{i}", "ngay_sinh_tre": "01/02/2026"}, files={}, at=at)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    codes = list(Dossier.objects.values_list("code", flat=True))
    assert len(codes) == DOSSIERS == len(set(codes))
    numbers = sorted(int(c.rsplit("-", 1)[1]) for c in codes)
    assert numbers == list(range(1, DOSSIERS + 1))
    assert all(c.startswith("000.31.19.H55-260302-") for c in codes)
