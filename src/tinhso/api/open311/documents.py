"""The Open311 documents (plain dicts, in the specification's field order) of categories, reports, updates."""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from tinhso.feedback.models import Category, Report, ReportEvent, ReportPhoto

from .params import w3_datetime
from .reads import is_public, status_of

# The route of the web pages that serves a public photo (args: the report's id, the photo's id).
PHOTO_URL_NAMES = ("web:feedback_photo", "web:report_photo")


def service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.attributes.all()),
        "type": "realtime",  # a request is created at once: its id is in the POST answer
        "keywords": category.keywords,
        "group": category.group,
    }


def service_definition(category: Category) -> dict:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description,
                "order": a.order,
                "description": a.description,
                "values": [{"key": v.get("key"), "name": v.get("name")} for v in (a.values or [])],
            }
            for a in sorted(category.attributes.all(), key=lambda a: (a.order, a.id))
        ],
    }


def service_notice(category: Category) -> str:
    return _("Phản ánh được trả lời trong %(days)s ngày làm việc kể từ khi được tiếp nhận.") % {
        "days": category.deadline_working_days}


def photo_url(request, report: Report, photo: ReportPhoto) -> str:
    """The absolute address of a visible photo: part A's photo page when it exists, else the file's URL."""
    for name in PHOTO_URL_NAMES:
        for args in ((report.public_id, photo.pk), (photo.pk,)):
            try:
                return request.build_absolute_uri(reverse(name, args=args))
            except NoReverseMatch:
                continue
    return request.build_absolute_uri(photo.file.url)


def status_notes(report: Report) -> str:
    if report.state in (Report.State.ANSWERED, Report.State.CLOSED) and report.answer:
        return report.answer
    if report.state == Report.State.REJECTED and report.reject_reason:
        return f"{report.get_state_display()}: {report.get_reject_reason_display()}"
    return str(report.get_state_display())


def service_request(request, report: Report) -> dict:
    """A report as an Open311 service request: never the reporter's identity; while it is not public
    (new or rejected), only its id, service, status and dates."""
    public = is_public(report)
    photos = getattr(report, "visible_photos", None)
    if photos is None:
        photos = list(report.photos.filter(hidden=False).order_by("id"))
    commune = report.commune
    address = report.address or (commune.name if commune else "")
    return {
        "service_request_id": report.public_id,
        "status": status_of(report.state),
        "status_notes": status_notes(report),
        "service_name": report.category.name,
        "service_code": report.category.code,
        "description": report.description if public else None,
        "agency_responsible": report.agency.name if (public and report.agency) else None,
        "service_notice": service_notice(report.category),
        "requested_datetime": w3_datetime(report.created_at),
        "updated_datetime": w3_datetime(report.updated_at),
        "expected_datetime": w3_datetime(report.due_at),
        "address": (address or None) if public else None,
        "address_id": (commune.code if commune else None) if public else None,
        "zipcode": None,
        "lat": report.lat if public else None,
        "long": report.long if public else None,
        "media_url": (photo_url(request, report, photos[0]) if photos else (report.media_url or None)) if public else None,
    }


def request_update(event: ReportEvent) -> dict:
    """A public event as a service request update (the servicerequestupdates extension)."""
    return {
        "update_id": str(event.pk),
        "service_request_id": event.report.public_id,
        "status": status_of(event.to_state).upper(),  # the extension: OPEN or CLOSED
        "updated_datetime": w3_datetime(event.at),
        "description": event.note,
        "media_url": None,
    }
