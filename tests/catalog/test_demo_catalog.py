"""The shipped catalog: real procedures, each with a source and a time limit, loaded idempotently."""
import datetime as dt

import pytest

from tinhso.catalog import services
from tinhso.catalog.models import Procedure
from tinhso.events.models import DomainEvent

pytestmark = pytest.mark.django_db


def test_at_least_30_procedures_at_both_levels_each_with_source_and_time_limit(catalog):
    procs = list(Procedure.objects.prefetch_related("steps", "components"))
    assert len(procs) >= 30
    assert {p.level for p in procs} == {"commune", "province"}
    for p in procs:
        assert p.source_document and p.legal_basis, p.code
        assert p.time_kind in ("working_days", "working_hours", "same_day", "calendar_days"), p.code
        assert p.time_kind == "same_day" or p.time_amount >= 1, p.code
        assert sum(s.share_percent for s in p.steps.all()) == 100, p.code
        assert p.components.exists(), p.code
        assert p.verified or p.verification_note, p.code


def test_known_time_limits_and_fees(catalog):
    khai_sinh = Procedure.objects.get(code="1.001193")
    assert (khai_sinh.time_kind, khai_sinh.time_cutoff) == ("same_day", dt.time(15, 0))
    assert [f.amount for f in khai_sinh.fees.all()] == [0]
    assert khai_sinh.level == "commune" and khai_sinh.agency_kind == "ubnd_xa"

    lltp = Procedure.objects.get(name__startswith="Cấp Phiếu lý lịch tư pháp")
    # Luật Lý lịch tư pháp, Điều 48: "không quá 10 ngày"
    assert (lltp.time_kind, lltp.time_amount) == ("calendar_days", 10)
    assert lltp.fees.first().amount == 200000

    gpxd = Procedure.objects.get(name="Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ")
    assert (gpxd.time_kind, gpxd.time_amount, gpxd.level) == ("calendar_days", 15, "commune")

    hkd = Procedure.objects.get(name="Đăng ký thành lập hộ kinh doanh")
    assert (hkd.time_kind, hkd.time_amount) == ("working_days", 3)

    chung_thuc = Procedure.objects.get(name__startswith="Chứng thực bản sao từ bản chính")
    assert chung_thuc.time_kind == "same_day"
    assert [f.amount for f in chung_thuc.fees.all()] == [2000, 1000]
    assert "200.000" in chung_thuc.fee_note


def test_time_limit_in_words():
    p = Procedure(time_kind="working_days", time_amount=10)
    assert p.time_limit_words == "10 ngày làm việc"
    assert Procedure(time_kind="same_day", time_amount=0, time_cutoff=dt.time(15)).time_limit_words.startswith("Trong ngày làm việc")
    assert (p.time_limit.kind, p.time_limit.amount) == ("working_days", 10)


def test_demo_load_is_idempotent_and_works_without_agencies(db):
    services.demo_catalog_load()
    first = sorted(Procedure.objects.values_list("code", "name", "time_amount"))
    services.demo_catalog_load()
    assert sorted(Procedure.objects.values_list("code", "name", "time_amount")) == first
    assert Procedure.objects.filter(agency__isnull=False).count() == 0
    assert DomainEvent.objects.filter(name="catalog.imported").count() == 2


def test_demo_load_attaches_province_procedures_to_agencies_by_name(catalog_with_agencies, so_tu_phap, so_xay_dung):
    lltp = Procedure.objects.get(name__startswith="Cấp Phiếu lý lịch tư pháp")
    assert lltp.agency == so_tu_phap
    assert Procedure.objects.get(code="1.009974").agency == so_xay_dung
    assert not Procedure.objects.filter(level="commune", agency__isnull=False).exists()
