"""`events.prebuilt.Rows` reads what the ORM would read: the same instances and values (JSON decoded, datetimes
aware), on both databases, from a statement built once."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tinhso.events.models import DomainEvent
from tinhso.events.prebuilt import Rows, in_list
from tinhso.people.models import User


@pytest.mark.django_db
def test_instances_and_values_are_the_orms():
    user = User.objects.create_user(username="079090001111", password="Mat-khau-rat-dai-1", kind="citizen",
                                    full_name="Lê Thị Hoa", date_of_birth=dt.date(1991, 3, 4))
    at = timezone.now()
    event = DomainEvent.objects.create(name="test.prebuilt", actor=user, subject_type="x", subject_id="1",
                                       data={"số": 3, "list": [1, "hai"], "nested": {"a": None}})
    by_id = Rows(User, where="{id} = %s")
    got = by_id.first(user.pk)
    orm = User.objects.get(pk=user.pk)
    assert type(got) is User and not got._state.adding and got._state.db == "default"
    for f in User._meta.concrete_fields:
        assert getattr(got, f.attname) == getattr(orm, f.attname), f.attname
    assert by_id.first(-1) is None

    rows = Rows(DomainEvent, fields=("id", "data", "created_at", "actor_id"), where="{name} = %s AND {created_at} >= %s")
    values = rows.values("test.prebuilt", at - dt.timedelta(minutes=1))
    assert values == list(DomainEvent.objects.filter(name="test.prebuilt").values("id", "data", "created_at", "actor_id"))
    assert values[0]["data"] == {"số": 3, "list": [1, "hai"], "nested": {"a": None}}
    assert timezone.is_aware(values[0]["created_at"])

    # A condition given per call (an IN of as many values as given), values as parameters, never formatted in.
    many = rows.values("a' OR 1=1 --", "test.prebuilt", where=f"{{name}} IN ({in_list(2)})")
    assert [v["id"] for v in many] == [event.pk]
    with pytest.raises(TypeError):
        rows.all("test.prebuilt", at)  # instances need every field
