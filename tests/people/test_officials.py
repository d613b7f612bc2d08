import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tinhso.events.models import DomainEvent
from tinhso.people import access, services
from tinhso.people.models import Official, OfficialRole, Role, User

NEW = {"username": "nguyen.van.moi", "full_name": "Nguyễn Văn Mới", "email": "moi@tinhso.test", "title": "",
       "roles": [Role.RECEIVER]}


def snapshot():
    return (User.objects.count(), Official.objects.count(), OfficialRole.objects.count(),
            DomainEvent.objects.count())


@pytest.mark.django_db
def test_province_admin_creates_an_official_in_any_agency(province_admin, agencies):
    official = services.official_create(actor=province_admin, agency=agencies["commune_b"], **NEW)
    assert official.agency == agencies["commune_b"] and official.user.kind == "official"
    assert not official.user.has_usable_password()
    assert access.has_role(official.user, Role.RECEIVER, agency=agencies["commune_b"])
    assert DomainEvent.objects.filter(name="people.official_created", subject_id=str(official.pk)).exists()


@pytest.mark.django_db
def test_agency_admin_creates_in_own_agency_only(admin_a, agencies):
    services.official_create(actor=admin_a, agency=agencies["commune_a"], **NEW)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.official_create(actor=admin_a, agency=agencies["commune_b"], **{**NEW, "username": "khac.xa"})
    assert snapshot() == before


@pytest.mark.django_db
def test_agency_admin_cannot_grant_province_admin(admin_a, agencies):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.official_create(actor=admin_a, agency=agencies["commune_a"], **{**NEW, "roles": [Role.PROVINCE_ADMIN]})
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "citizen", "admin_b", "receiver_a"])
def test_refused_creation_through_the_page_changes_nothing(client, request, agencies, who, admin_b, receiver_a):
    if who != "anonymous":
        user = request.getfixturevalue(who)
        if user.kind == "official":  # past the TOTP set-up, so that the refusal itself is tested
            from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
            TOTP.activate(user, generate_totp_secret())
        client.force_login(user)
    before = snapshot()
    data = {**NEW, "agency": agencies["commune_a"].pk}
    response = client.post(reverse("web:official_create"), data)
    if who == "anonymous":
        assert response.status_code == 302 and "/tai-khoan/login/" in response["Location"]
    elif who == "admin_b":  # may manage commune B only: commune A is not among the choices
        assert response.status_code == 400
    else:
        assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.django_db
def test_page_creation_by_agency_admin(client, admin_a, agencies):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    TOTP.activate(admin_a, generate_totp_secret())
    client.force_login(admin_a)
    response = client.post(reverse("web:official_create"), {**NEW, "agency": agencies["commune_a"].pk})
    assert response.status_code == 302
    assert Official.objects.filter(user__username="nguyen.van.moi", agency=agencies["commune_a"]).exists()


@pytest.mark.django_db
def test_set_roles_and_refusal_for_other_agency(admin_a, admin_b, receiver_a, agencies):
    official = receiver_a.official
    services.official_set_roles(actor=admin_a, official=official, roles=[Role.SPECIALIST, Role.LEADER])
    assert set(official.roles.values_list("role", flat=True)) == {Role.SPECIALIST, Role.LEADER}
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.official_set_roles(actor=admin_b, official=official, roles=[Role.RECEIVER])
    assert snapshot() == before


@pytest.mark.django_db
def test_roles_page_of_another_agency_is_not_found(client, admin_b, receiver_a):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    TOTP.activate(admin_b, generate_totp_secret())
    client.force_login(admin_b)
    before = snapshot()
    response = client.post(reverse("web:official_roles", args=[receiver_a.official.pk]), {"roles": [Role.LEADER]})
    assert response.status_code == 404 and snapshot() == before


@pytest.mark.django_db
def test_deactivate_blocks_sign_in(client, admin_a, receiver_a):
    services.official_deactivate(actor=admin_a, official=receiver_a.official)
    receiver_a.refresh_from_db()
    assert not receiver_a.is_active and access.official_of(receiver_a) is None


@pytest.mark.django_db
def test_agency_ids_visible_to(province_admin, receiver_a, admin_b, citizen, agencies):
    from django.contrib.auth.models import AnonymousUser
    all_ids = {a.pk for a in agencies.values()}
    assert all_ids <= access.agency_ids_visible_to(province_admin)
    assert access.agency_ids_visible_to(receiver_a) == {agencies["commune_a"].pk}
    assert access.agency_ids_visible_to(admin_b) == {agencies["commune_b"].pk}
    assert access.agency_ids_visible_to(citizen) == set()
    assert access.agency_ids_visible_to(AnonymousUser()) == set()
    assert access.is_province_admin(province_admin) and not access.is_province_admin(admin_b)
    assert access.official_of(citizen) is None
