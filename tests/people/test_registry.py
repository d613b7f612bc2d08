"""Identity checks against the population registry, with the stand-in registry running as a separate process."""
import datetime as dt
import sys
import unicodedata
from pathlib import Path

import pytest
import requests
from django.core.exceptions import PermissionDenied

from tinhso.events.models import DomainEvent
from tinhso.people import selectors, services
from tinhso.people.cccd import cccd_validate
from tinhso.people.models import User
from tinhso.people.registry import PopulationRegistry, RegistryUnavailable

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tools.registry_standin.launch import standin  # noqa: E402
from tools.registry_standin.population import residents  # noqa: E402

TOKEN = "standin-token"


@pytest.fixture(scope="module")
def standin_url():
    with standin("tools.registry_standin", "--token", TOKEN, "--people", "200") as proc:
        yield proc.url


@pytest.fixture
def registry(standin_url):
    requests.post(f"{standin_url}/_control", json={"reset": True}, timeout=5).raise_for_status()
    return PopulationRegistry(base_url=standin_url, token=TOKEN, timeout=0.5, retries=2, backoff=0.05, budget=2.5)


def control(url, **body):
    requests.post(f"{url}/_control", json=body, timeout=5).raise_for_status()


def verify_requests(url) -> int:
    return requests.get(f"{url}/_control", timeout=5).json()["verify_requests"]


def citizen(cccd="019090001234", name="Nguyễn Văn An", dob=dt.date(1990, 5, 12), gender="nam"):
    return User.objects.create_user(username=cccd, cccd=cccd, full_name=name, date_of_birth=dob, gender=gender,
                                    password="Mat-khau-rat-manh-2025", email=f"{cccd}@example.vn")


def unchanged_profile(user):
    fresh = User.objects.get(pk=user.pk)
    return (fresh.cccd, fresh.full_name, fresh.date_of_birth, fresh.gender, fresh.email, fresh.is_active) == (
        user.cccd, user.full_name, user.date_of_birth, user.gender, user.email, True)


@pytest.mark.django_db
def test_matching_citizen_is_verified_with_registered_address(registry):
    an = citizen()
    assert services.citizen_identity_check(actor=an, user=an, registry=registry) == "verified"
    an.refresh_from_db()
    assert an.identity_status == "verified" and an.identity_verified_at is not None
    assert an.identity_source == "registry"
    assert an.registered_address["commune_name"] == "Phường Phan Đình Phùng"
    assert an.registered_address["province_code"] == "19"
    event = DomainEvent.objects.get(name="people.identity_checked", subject_id=str(an.pk))
    assert event.data["result"] == "verified" and event.actor_id == an.pk
    status = selectors.identity_status(an)
    assert status.verified and status.label == "Đã xác thực với Cơ sở dữ liệu quốc gia về dân cư"


@pytest.mark.django_db
def test_name_typed_in_decomposed_unicode_still_matches(registry):
    binh = citizen("019190004321", unicodedata.normalize("NFD", "trần thị  bình"), dt.date(1990, 8, 3), "nu")
    assert services.citizen_identity_check(actor=binh, user=binh, registry=registry) == "verified"


@pytest.mark.django_db
def test_wrong_date_of_birth_is_a_mismatch_and_not_verified(registry):
    an = citizen(dob=dt.date(1990, 5, 13))
    assert services.citizen_identity_check(actor=an, user=an, registry=registry) == "mismatch"
    an.refresh_from_db()
    assert an.identity_status == "mismatch" and an.identity_verified_at is None and an.registered_address == {}
    assert "không khớp" in selectors.identity_status(an).label


@pytest.mark.django_db
def test_unknown_cccd_is_a_mismatch(registry):
    stranger = citizen("019090999999", "Lê Văn Lạ", dt.date(1990, 1, 1))
    assert services.citizen_identity_check(actor=None, user=stranger, registry=registry) == "mismatch"


@pytest.mark.django_db
def test_retries_after_5xx_then_succeeds(registry, standin_url):
    control(standin_url, mode="flaky", failures=2)
    an = citizen()
    assert services.citizen_identity_check(actor=an, user=an, registry=registry) == "verified"
    assert verify_requests(standin_url) == 3  # two 503 answers, then the match


@pytest.mark.django_db
def test_retries_are_bounded_and_end_unavailable(registry, standin_url):
    control(standin_url, mode="fail")
    an = citizen()
    assert services.citizen_identity_check(actor=an, user=an, registry=registry) == "unavailable"
    assert verify_requests(standin_url) == 3  # first attempt + 2 retries, no more
    an.refresh_from_db()
    assert an.identity_status == "unavailable" and an.identity_verified_at is None
    assert unchanged_profile(an)
    event = DomainEvent.objects.get(name="people.identity_checked", subject_id=str(an.pk))
    assert event.data == {"result": "unavailable", "reason": "HTTP 503"}


@pytest.mark.django_db
def test_slow_registry_times_out_as_unavailable(standin_url):
    control(standin_url, reset=True)
    control(standin_url, mode="slow", delay=3)
    registry = PopulationRegistry(base_url=standin_url, token=TOKEN, timeout=0.3, retries=1, backoff=0.05,
                                  budget=1.0)
    with pytest.raises(RegistryUnavailable, match="Timeout"):
        registry.verify(cccd="019090001234", full_name="Nguyễn Văn An", date_of_birth=dt.date(1990, 5, 12))
    an = citizen()
    assert services.citizen_identity_check(actor=an, user=an, registry=registry) == "unavailable"
    an.refresh_from_db()
    assert an.identity_status == "unavailable"
    assert "chưa phản hồi" in selectors.identity_status(an).label
    control(standin_url, reset=True)


@pytest.mark.django_db
def test_wrong_token_is_not_retried(standin_url):
    control(standin_url, reset=True)
    registry = PopulationRegistry(base_url=standin_url, token="not-the-token", timeout=0.5, retries=2, backoff=0.05)
    an = citizen()
    assert services.citizen_identity_check(actor=an, user=an, registry=registry) == "unavailable"
    assert verify_requests(standin_url) == 1


@pytest.mark.django_db
def test_stopped_registry_is_unavailable_and_nothing_is_lost():
    with standin("tools.registry_standin", "--token", TOKEN, "--people", "10") as proc:
        url = proc.url
        registry = PopulationRegistry(base_url=url, token=TOKEN, timeout=0.5, retries=2, backoff=0.05, budget=2)
        an = citizen()
        assert services.citizen_identity_check(actor=an, user=an, registry=registry) == "verified"
    # The stand-in is stopped now: the earlier verification is kept, a new citizen stays unverified.
    assert services.citizen_identity_check(actor=an, user=an, registry=registry, recheck=True) == "unavailable"
    an.refresh_from_db()
    assert an.identity_status == "verified" and an.registered_address["commune_code"] == "05443"
    binh = citizen("019190004321", "Trần Thị Bình", dt.date(1990, 8, 3), "nu")
    assert services.citizen_identity_check(actor=binh, user=binh, registry=registry) == "unavailable"
    binh.refresh_from_db()
    assert binh.identity_status == "unavailable" and unchanged_profile(binh)
    results = list(DomainEvent.objects.filter(name="people.identity_checked").order_by("id")
                   .values_list("data__result", flat=True))
    assert results == ["verified", "unavailable", "unavailable"]


@pytest.mark.django_db
def test_configured_registry_is_used_and_unset_means_unavailable(settings, standin_url):
    control(standin_url, reset=True)
    an = citizen()
    settings.REGISTRY_URL = ""
    assert services.citizen_identity_check(actor=an, user=an) == "unavailable"
    assert DomainEvent.objects.get(name="people.identity_checked").data["reason"].startswith("registry not configured")
    settings.REGISTRY_URL, settings.REGISTRY_TOKEN = standin_url, TOKEN
    assert services.citizen_identity_check(actor=an, user=an) == "verified"


@pytest.mark.django_db
def test_already_verified_account_is_not_asked_again(registry, standin_url):
    an = citizen()
    services.citizen_identity_check(actor=an, user=an, registry=registry)
    assert services.citizen_identity_check(actor=an, user=an, registry=registry) == "verified"
    assert verify_requests(standin_url) == 1


@pytest.mark.django_db
def test_another_citizen_may_not_check_someone_elses_identity(registry, standin_url):
    an = citizen()
    binh = citizen("019190004321", "Trần Thị Bình", dt.date(1990, 8, 3), "nu")
    with pytest.raises(PermissionDenied):
        services.citizen_identity_check(actor=binh, user=an, registry=registry)
    an.refresh_from_db()
    assert an.identity_status == "unchecked" and verify_requests(standin_url) == 0
    assert not DomainEvent.objects.filter(name="people.identity_checked").exists()


@pytest.mark.django_db
def test_official_at_the_desk_may_check_a_citizen(registry, receiver_a):
    an = citizen()
    assert services.citizen_identity_check(actor=receiver_a, user=an, registry=registry) == "verified"
    assert DomainEvent.objects.get(name="people.identity_checked").actor_id == receiver_a.pk


def test_standin_people_have_valid_cccd_numbers_and_real_communes():
    people = residents(300)
    assert len({p.cccd for p in people}) == len(people)
    for person in people:
        cccd_validate(number=person.cccd, date_of_birth=person.date_of_birth, gender=person.gender)
        assert person.commune_code.isdigit() and len(person.commune_code) == 5
    assert residents(300) == people  # deterministic
