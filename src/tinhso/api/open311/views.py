"""Open311 GeoReport v2 endpoints (plain Django views): they parse parameters, call the feedback
domain (reads through `reads`, the one write through `feedback.services.report_create`) and render."""
from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from . import documents, params, reads
from .formats import FORMATS, render, render_errors
from .params import Open311Error

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00+07:00"  # the date this API last changed
FIELD_PARAMS = {  # report_create's field → the Open311 parameter it came from
    "category": "service_code", "lat": "lat", "long": "long", "address": "address_string",
    "commune": "address_id", "reporter_email": "email", "reporter_phone": "phone",
    "reporter_name": "first_name/last_name", "attributes": "attribute", "photos": "media", "media_url": "media_url",
    "description": "description", "location": "lat/long, address_string, address_id", "device_id": "device_id", "account_id": "account_id", "urgency": "urgency",
}


def jurisdiction_ids() -> set[str]:
    """The jurisdiction this endpoint serves: the province code or the host name of its public address."""
    host = settings.PUBLIC_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return {str(settings.PROVINCE_CODE), host}


def endpoint(*methods: str):
    """Checks the format, the method and jurisdiction_id, and turns Open311Error into the error document."""
    def wrap(view):
        @functools.wraps(view)
        def run(request, *args, fmt: str, **kwargs):
            fmt = fmt.lower()
            if fmt not in FORMATS:
                return render_errors("xml", 400, [_("Định dạng “%(fmt)s” không được hỗ trợ: dùng .xml hoặc .json.")
                                                  % {"fmt": fmt[:20]}])
            if request.method not in methods:
                response = render_errors(fmt, 405, [_("Phương thức %(method)s không được dùng ở đây.")
                                                    % {"method": request.method}])
                response["Allow"] = ", ".join(methods)
                return response
            data = request.POST if request.method == "POST" else request.GET
            jurisdiction = data.get("jurisdiction_id") or request.GET.get("jurisdiction_id")
            if jurisdiction and jurisdiction not in jurisdiction_ids():
                return render_errors(fmt, 404, [_("jurisdiction_id “%(id)s” không có ở đây.") % {"id": jurisdiction[:60]}])
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return render_errors(fmt, error.status, error.descriptions)
        return csrf_exempt(run)
    return wrap


@endpoint("GET")
def discovery(request, *, fmt: str):
    url = request.build_absolute_uri("/open311/v2")
    data = {
        "changeset": CHANGESET,
        "contact": _("Trung tâm Phục vụ hành chính công tỉnh — %(url)s") % {"url": settings.PUBLIC_URL},
        "key_service": _("Khóa API để gửi phản ánh do quản trị viên cổng Tỉnh số cấp: liên hệ %(url)s")
        % {"url": settings.PUBLIC_URL},
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": url,
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }
    return render(fmt, data, root="discovery")


@endpoint("GET")
def services(request, *, fmt: str):
    data = [documents.service(c) for c in reads.active_categories()]
    return render(fmt, data, root="services", item="service")


@endpoint("GET")
def service_definition(request, code: str, *, fmt: str):
    category = reads.active_category(code)
    if category is None:
        raise Open311Error(404, _("service_code “%(code)s” không có.") % {"code": code[:60]})
    return render(fmt, documents.service_definition(category), root="service_definition")


@endpoint("GET", "POST")
def requests_(request, *, fmt: str):
    if request.method == "POST":
        return _request_create(request, fmt)
    ids = params.comma_list(request.GET.get("service_request_id"))
    if ids:  # the specification: service_request_id overrides every other parameter
        reports = reads.requests_by_ids(ids)
    else:
        start, end = params.date_range(request.GET.get("start_date"), request.GET.get("end_date"), now=timezone.now())
        statuses = [s.lower() for s in params.comma_list(request.GET.get("status"))]
        wrong = [s for s in statuses if s not in reads.STATES_OF_STATUS]
        if wrong:
            raise Open311Error(400, _("status chỉ nhận open hoặc closed (nhiều giá trị cách nhau bởi dấu phẩy)."))
        codes = params.comma_list(request.GET.get("service_code"))
        reports = reads.requests_search(start=start, end=end, codes=codes, statuses=statuses)
    data = [documents.service_request(request, r) for r in reports]
    return render(fmt, data, root="service_requests", item="request")


def _request_create(request, fmt: str):
    from tinhso.feedback.services import report_create

    data = request.POST
    raw_key = data.get("api_key") or request.GET.get("api_key")
    code = (data.get("service_code") or "").strip()
    # The categories and keys this process kept, unchecked: the creation's write checks them (feedback.refcache
    # .kept, services.report_create). A key or category not found there may be new: then check.
    def key_and_category(ref):
        return (reads.api_key_find(raw_key, ref=ref),
                reads.active_category(code, with_attributes=False, ref=ref) if code else None)

    ref = reads.reference_kept()
    api_key, category = key_and_category(ref)
    if (api_key is None or (code and category is None)) and not reads.reference_is_current(ref):
        ref = reads.reference()
        api_key, category = key_and_category(ref)
    if api_key is None:
        raise Open311Error(403, _("api_key thiếu hoặc không hợp lệ."))
    if not code:
        raise Open311Error(400, _("Thiếu service_code: hãy gửi mã lĩnh vực phản ánh."))
    if category is None:
        raise Open311Error(404, _("service_code “%(code)s” không có.") % {"code": code[:60]})
    lat = params.coordinate("lat", data.get("lat"))
    long = params.coordinate("long", data.get("long"))
    if (lat is None) != (long is None):
        raise Open311Error(400, _("Gửi cả lat và long (hoặc không gửi cả hai)."))
    address = (data.get("address_string") or "").strip()
    address_id = (data.get("address_id") or "").strip()
    commune = None
    if address_id:
        commune = reads.commune_find(address_id)
        if commune is None:
            raise Open311Error(400, _("address_id “%(id)s” không phải mã một xã, phường của tỉnh.") % {"id": address_id[:20]})
    if lat is None and not address and commune is None:
        raise Open311Error(400, _("Thiếu vị trí: gửi lat và long, hoặc address_string, hoặc address_id."))
    name = " ".join(p for p in ((data.get("first_name") or "").strip(), (data.get("last_name") or "").strip()) if p)
    account_id = (data.get("account_id") or "").strip()
    kwargs = dict(
        actor=None, category=category, description=data.get("description") or "", lat=lat, long=long,
        address=address, commune=commune, attributes=params.attributes(data), reporter_name=name,
        reporter_email=(data.get("email") or "").strip(), reporter_phone=(data.get("phone") or "").strip(),
        device_id=(data.get("device_id") or "").strip(), account_id=account_id, via="open311", api_key=api_key,
        reference=ref,
    )
    media_url = (data.get("media_url") or "").strip()
    if media_url:
        if len(media_url) > 500 or not media_url.lower().startswith(("http://", "https://")):
            raise Open311Error(400, _("media_url phải là một địa chỉ http:// hoặc https:// (tối đa 500 ký tự)."))
        kwargs["media_url"] = media_url  # stored as text only, never fetched
    try:
        report = report_create(**kwargs)
    except ValidationError as error:
        raise Open311Error(400, *_validation_messages(error)) from None
    except PermissionDenied:  # the key was revoked between its check and the write (feedback.refcache)
        raise Open311Error(403, _("api_key thiếu hoặc không hợp lệ.")) from None
    answer = [{
        "service_request_id": report.public_id,
        "service_notice": documents.service_notice(category),
        "account_id": account_id or None,
    }]
    return render(fmt, answer, root="service_requests", item="request", status=201)


def _validation_messages(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return [str(m) for m in error.messages]
    out = []
    for field, messages in error.message_dict.items():
        name = FIELD_PARAMS.get(field, field)
        for message in messages:
            out.append(message if field == "__all__" else f"{name}: {message}")
    return out


@endpoint("GET")
def request_one(request, public_id: str, *, fmt: str):
    report = reads.request_by_id(public_id)
    if report is None:
        raise Open311Error(404, _("service_request_id “%(id)s” không có.") % {"id": public_id[:40]})
    return render(fmt, [documents.service_request(request, report)], root="service_requests", item="request")


@endpoint("GET")
def token(request, token_id: str, *, fmt: str):
    """Requests are created at once, so a token is the request's own id."""
    report = reads.request_by_id(token_id)
    if report is None:
        raise Open311Error(404, _("token “%(id)s” không có.") % {"id": token_id[:40]})
    return render(fmt, [{"service_request_id": report.public_id, "token": token_id}],
                  root="service_requests", item="request")


@endpoint("GET")
def request_updates(request, *, fmt: str):
    start, end = params.date_range(request.GET.get("start_date"), request.GET.get("end_date"), now=timezone.now())
    ids = params.comma_list(request.GET.get("service_request_id"))
    data = [documents.request_update(e) for e in reads.updates_search(start=start, end=end, ids=ids)]
    return render(fmt, data, root="service_request_updates", item="request_update")
