from django.db.models import QuerySet

from .models import DomainEvent


def events_for_subject(*, subject_type: str, subject_id) -> QuerySet[DomainEvent]:
    return DomainEvent.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).order_by("id")
