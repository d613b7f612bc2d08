"""Dossiers API (/api/v1/): the one-stop core over HTTP, for apps and other systems.

Every handler only parses input, fetches the dossier through `access.dossier_for_actor` (404 for a
dossier the caller may not see) and calls the service with the caller as actor; the service checks the
role and runs the transaction. Errors, all with a Vietnamese `detail`:
- 400 `{"detail", "errors": [{"field", "message"}]}`: bad input (Django ValidationError, see api/errors.py);
- 401 not signed in; 403 signed in but not allowed; 404 not found or not yours;
- 409 `{"detail", "errors": []}`: the action is not allowed in the dossier's current state
  (`states.TransitionNotAllowed`, turned into 409 by the `_conflict_as_409` decorator of this file,
  because exception handlers can only be registered on the NinjaAPI, not on a router);
- 422 on the operations that create a dossier, when their `Idempotency-Key` was already used for a
  different request (`_idempotent` below; dossiers/idempotency.py).
"""
import json
from datetime import datetime
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.security import django_auth

from tinhso.api.errors import ErrorOut
from tinhso.api.pagination import BoundedPageNumberPagination
from tinhso.catalog import selectors as catalog_selectors
from tinhso.dossiers import access, documents, idempotency, selectors, services
from tinhso.dossiers.models import Dossier, Warning
from tinhso.dossiers.states import Channel, State, TransitionNotAllowed
from tinhso.dossiers.uploads import UPLOAD_TTL
from tinhso.people.access import official_of
from tinhso.people.models import User
from tinhso.places.selectors import agencies_of_installation

router = Router(tags=["dossiers"], auth=django_auth)

MULTIPART_FILES_NOTE = ("Tệp đính kèm gửi theo dạng multipart, mỗi tệp một trường `component_<mã thành phần>` "
                        "(được gửi nhiều tệp cho một thành phần). Nội dung tệp được kiểm tra (PDF, JPG, PNG), "
                        "không chỉ phần đuôi. Hoặc tải từng tệp lên trước (`POST /api/v1/uploads`) rồi gửi mã của "
                        "nó trong trường `upload_<mã thành phần>` (được lặp lại): tệp được dùng một lần, chỉ bởi "
                        "người đã tải lên, trong 24 giờ.")


# --- schemas: errors ------------------------------------------------------------------------------

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
ACTION_ERRORS = {**ERRORS, 409: ErrorOut}


def _conflict_as_409(view):
    """A transition the state table does not allow answers 409 with its Vietnamese message."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except TransitionNotAllowed as exc:
            return Status(409, {"detail": str(exc), "errors": []})

    return wrapper


# --- idempotency keys of the operations that create a dossier -------------------------------------

IDEMPOTENCY_NOTE = (
    "\n\nTiêu đề `Idempotency-Key` (tùy chọn; draft-ietf-httpapi-idempotency-key-header): một khóa duy nhất "
    "cho mỗi hồ sơ cần tạo, ví dụ `\"8e03978e-40d5-43e8-bc93-6894a57f9324\"` (chuỗi 1–255 ký tự ASCII in được, "
    "trong ngoặc kép hoặc không). Gửi lại đúng yêu cầu với cùng khóa (mất mạng, hết thời gian chờ) thì không tạo "
    "hồ sơ mới: trả lại đúng mã trạng thái và nội dung của lần đầu, kèm tiêu đề `Idempotent-Replayed: true`; hai "
    "lần gửi đồng thời cũng chỉ tạo một hồ sơ. Cùng khóa với nội dung khác: 422, không ghi gì. Khóa tính riêng "
    "cho từng người dùng và từng thao tác, được giữ 24 giờ; lần đầu bị lỗi (400, 403...) thì khóa không được giữ.")

IdempotencyKeyHeader = Header[str | None, {
    "alias": idempotency.HEADER,
    "description": "Khóa chống tạo trùng khi gửi lại (xem mô tả thao tác); giữ 24 giờ, riêng cho từng người dùng.",
}]

REPLAY_RESPONSE_HEADER = {"responses": {201: {"headers": {idempotency.REPLAY_HEADER: {
    "description": "`true` khi đây là câu trả lời của lần gửi đầu với cùng Idempotency-Key (không tạo gì mới).",
    "schema": {"type": "string", "enum": ["true"]}}}}}}


def _idempotency(request: HttpRequest, raw: str | None, scope: str) -> idempotency.Idempotency | None:
    """The key of the request (None without the header) and the fingerprint of its content: form fields
    and files parsed (a retry's multipart boundary may differ), any other body as it is."""
    if raw is None:
        return None
    key = idempotency.parse_key(raw)
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        fp = idempotency.fingerprint(fields=request.POST, files=request.FILES)
    else:
        fp = idempotency.fingerprint(raw=request.body)
    return idempotency.Idempotency(scope=scope, key=key, fingerprint=fp)


def _dossier_response(request: HttpRequest, dossier: Dossier, status: int) -> HttpResponse:
    """The dossier as DossierOut, rendered here (as ninja would) so that its bytes can be kept for a replay."""
    from tinhso.api.root import api

    context = {"request": request, "response_status": status}
    body = DossierOut.model_validate(dossier, context=context).model_dump(context=context)
    return api.create_response(request, body, status=status)


def _created(request: HttpRequest, dossier: Dossier, idem: idempotency.Idempotency | None):
    """201 with the new dossier; with a key, the answer is kept for the retries."""
    if idem is None:
        return Status(201, dossier)
    response = _dossier_response(request, dossier, 201)
    services.idempotency_key_respond(actor=request.user, idempotency=idem, status=response.status_code,
                                     body=response.content.decode())
    return response


def _idempotent(view):
    """A request already made with its Idempotency-Key answers the first answer again (marked
    `Idempotent-Replayed: true`); the key reused for another request answers 422. Nothing is written."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except idempotency.IdempotentReplay as replay:
            record = replay.record
            if record.response_status is not None:
                from tinhso.api.root import api

                response = HttpResponse(record.response_body, status=record.response_status,
                                        content_type=api.get_content_type())
            else:  # the first request committed its dossier but had not stored its answer yet
                response = _dossier_response(request, access.dossier_for_actor(request.user, pk=record.dossier_id), 201)
            response[idempotency.REPLAY_HEADER] = "true"
            return response
        except idempotency.IdempotencyKeyMismatch as exc:
            errors = [{"field": field, "message": m} for field, msgs in exc.message_dict.items() for m in msgs]
            return Status(422, {"detail": errors[0]["message"], "errors": errors})

    return wrapper


# --- schemas: dossiers ----------------------------------------------------------------------------

class AgencyOut(Schema):
    id: int
    code: str
    name: str


class StepOut(Schema):
    order: int
    kind: str
    name: str
    role: str
    status: str
    agency_id: int
    assignee_id: int | None
    due_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None


class EventOut(Schema):
    at: datetime
    action: str
    action_label: str
    from_state: int | None
    to_state: int
    step: int | None
    note: str
    actor_name: str | None

    @staticmethod
    def resolve_action_label(obj):
        return str(obj.action_label)

    @staticmethod
    def resolve_actor_name(obj):
        return (obj.actor.full_name or obj.actor.get_username()) if obj.actor_id else None


class ComponentOut(Schema):
    id: int
    key: str
    name: str
    original_filename: str
    content_type: str
    size: int
    originals: int
    certified_copies: int
    copies: int
    supplement_round: int


class SupplementOut(Schema):
    id: int
    requested_at: datetime
    reason: str
    items: list[dict[str, Any]]
    answered_at: datetime | None


class PaymentOut(Schema):
    id: int
    requested_at: datetime
    amount: int
    purpose: str
    qr_payload: str
    paid_at: datetime | None


class DossierSummary(Schema):
    id: int
    code: str | None
    procedure_code: str
    procedure_name: str
    agency: AgencyOut
    channel: int
    state: int
    state_label: str
    applicant_name: str
    submitted_at: datetime | None
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    timeliness: str

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.state_label)

    @staticmethod
    def resolve_timeliness(obj):
        return selectors.timeliness(obj)


class DossierOut(DossierSummary):
    channel_label: str
    return_method: str
    fee_amount: int
    paid_at: datetime | None
    supplement_count: int
    reappointed: bool
    current_step: int
    assignee_id: int | None
    state_note: str
    form_data: dict[str, Any]
    has_result: bool
    rating: str | None
    steps: list[StepOut]
    events: list[EventOut]
    components: list[ComponentOut]
    supplement_requests: list[SupplementOut]
    payment_requests: list[PaymentOut]
    actions: list[str]

    @staticmethod
    def resolve_channel_label(obj):
        return str(obj.channel_label)

    @staticmethod
    def resolve_has_result(obj):
        return bool(obj.result_file)

    @staticmethod
    def resolve_rating(obj):
        rating = getattr(obj, "rating", None) if hasattr(obj, "rating") else None
        return rating.level if rating else None

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())

    @staticmethod
    def resolve_events(obj):
        if "events" in getattr(obj, "_prefetched_objects_cache", {}):
            return list(obj.events.all())  # known already (a dossier just submitted: actors attached)
        return list(obj.events.select_related("actor"))

    @staticmethod
    def resolve_components(obj):
        return list(obj.components.all())

    @staticmethod
    def resolve_supplement_requests(obj):
        return list(obj.supplement_requests.all())

    @staticmethod
    def resolve_payment_requests(obj):
        return list(obj.payment_requests.all())

    @staticmethod
    def resolve_actions(obj, context):
        return [str(a) for a in selectors.actions_for(user=context["request"].user, dossier=obj)]


class TrackStepOut(Schema):
    name: str
    status: str
    due_at: datetime | None
    finished_at: datetime | None


class TrackOut(Schema):
    code: str
    procedure_code: str
    procedure_name: str
    agency_name: str
    state: int
    state_label: str
    submitted_at: datetime | None
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    steps: list[TrackStepOut]


class WarningOut(Schema):
    id: int
    kind: str
    dossier_id: int
    dossier_code: str | None
    step: int
    created_at: datetime
    due_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_dossier_code(obj):
        return obj.dossier.code


# --- schemas: inputs ------------------------------------------------------------------------------

class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str = ""


class AssignIn(Schema):
    assignee: int | None = None
    note: str = ""


class ForwardIn(Schema):
    assignee: int | None = None
    agency: int | None = None
    note: str = ""


class SubmitApprovalIn(Schema):
    note: str = ""
    leader: int | None = None


class SupplementItemIn(Schema):
    key: str = ""
    name: str = ""


class RequestSupplementIn(Schema):
    reason: str = ""
    items: list[SupplementItemIn] = []


class RequestPaymentIn(Schema):
    amount: int | None = None
    purpose: str = ""


class PayIn(Schema):
    reference: str = ""


class ReturnIn(Schema):
    method: str | None = None


class ApologizeIn(Schema):
    reason: str = ""
    new_due_at: datetime | None = None


class RateIn(Schema):
    level: str = ""
    criteria: dict[str, Any] = {}
    comment: str = ""


class ComplainIn(Schema):
    text: str = ""


# --- helpers --------------------------------------------------------------------------------------

def _dossier(request: HttpRequest, pk: int) -> Dossier:
    return access.dossier_for_actor(request.user, pk=pk)


def _fresh(request: HttpRequest, dossier: Dossier) -> Dossier:
    """The dossier re-read after a change, as the caller sees it."""
    return access.dossier_for_actor(request.user, pk=dossier.pk)


def _files(request: HttpRequest, procedure) -> dict[str, list]:
    """Each component's papers: the files sent in `component_<key>` and the papers uploaded ahead, named by their
    tokens in `upload_<key>` (ValidationError naming the field when a token is not one of the caller's papers)."""
    components = procedure.components.all()
    files = {c.key: request.FILES.getlist(f"component_{c.key}") for c in components}
    tokens = {c.key: [t.strip() for t in request.POST.getlist(f"upload_{c.key}") if t.strip()] for c in components}
    if any(tokens.values()):
        for key, uploads in selectors.paper_uploads_named(owner=request.user, tokens=tokens).items():
            files[key] = [*files[key], *uploads]
    return files


def _json_field(raw: str, field: str, *, kind=dict):
    if not (raw or "").strip():
        return kind()
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, kind):
        raise ValidationError({field: [_("Trường “%(f)s” phải là một đối tượng JSON hợp lệ.") % {"f": field}]})
    return value


def _official_of_my_agency(request: HttpRequest, pk: int | None, *, role: str | None = None):
    """An active official of the caller's agency, or None (the service then names the field)."""
    agency_id = access.agency_id_of(request.user)
    if pk is None or agency_id is None:
        return None
    return selectors.officials_of_agency(agency_id=agency_id, role=role).filter(pk=pk).first()


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    # The result's name is the uploader's: quoted or RFC 5987-encoded, never pasted into the header as is.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


PDF_RESPONSE = {"responses": {"200": {"description": _("Tệp PDF (tải về)"),
                                      "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}}


# --- public tracking ------------------------------------------------------------------------------

@router.get("/track/{code}", auth=None, response={200: TrackOut, 404: ErrorOut}, summary="Tra cứu hồ sơ theo mã")
def track(request, code: str):
    """Public: state, dates and steps' progress of a dossier by its code. No personal data."""
    t = selectors.tracking_by_code(code=code)
    local = lambda d: timezone.localtime(d) if d else None  # noqa: E731
    body = {
        "code": t.code, "procedure_code": t.procedure_code, "procedure_name": t.procedure_name,
        "agency_name": t.agency_name, "state": t.state, "state_label": str(t.state_label),
        "submitted_at": local(t.submitted_at), "received_at": local(t.received_at), "due_at": local(t.due_at),
        "finished_at": local(t.finished_at), "returned_at": local(t.returned_at),
        "steps": [{"name": s.name, "status": s.status, "due_at": local(s.due_at), "finished_at": local(s.finished_at)}
                  for s in t.steps],
    }
    # Built by hand (already the TrackOut shape) to skip schema validation on this hot public path.
    return JsonResponse(body, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False})


# --- submission and lists -------------------------------------------------------------------------

@router.post("/dossiers", response={201: DossierOut, **ERRORS, 422: ErrorOut, 429: ErrorOut},
             summary="Nộp hồ sơ trực tuyến", description=MULTIPART_FILES_NOTE + IDEMPOTENCY_NOTE,
             openapi_extra=REPLAY_RESPONSE_HEADER)
@_idempotent
def dossier_submit(request, procedure: Form[str] = "", agency: Form[int | None] = None, form: Form[str] = "",
                   submit_token: Form[str] = "", return_method: Form[str] = Dossier.ReturnMethod.ONLINE,
                   idempotency_key: IdempotencyKeyHeader = None):
    """A signed-in citizen submits a dossier: `procedure` code, `agency` id (optional when only one agency
    handles it), `form` = the application as a JSON object, and the papers."""
    if getattr(request.user, "kind", "") != "citizen":
        raise PermissionDenied(_("Chỉ công dân đã đăng nhập mới nộp được hồ sơ trực tuyến."))
    idem = _idempotency(request, idempotency_key, "api.dossier_submit")
    if not procedure.strip():
        raise ValidationError({"procedure": [_("Hãy ghi mã thủ tục cần nộp hồ sơ.")]})
    proc = catalog_selectors.procedure_public(code=procedure.strip())
    form_data = _json_field(form, "form")
    if return_method not in Dossier.ReturnMethod.values:
        raise ValidationError({"return_method": [_("Hình thức nhận kết quả phải là: online, desk hoặc post.")]})
    try:
        chosen = selectors.handling_agency(procedure=proc, agency_id=agency)
    except Http404 as exc:
        raise ValidationError({"agency": [str(exc)]}) from None
    dossier = services.dossier_submit_online(
        actor=request.user, procedure=proc, agency=chosen, form_data=form_data, files=_files(request, proc),
        submit_token=submit_token.strip()[:64] or None, return_method=return_method, idempotency=idem)
    return _created(request, dossier, idem)  # the service returns it with its relations: no re-read


class PaperUploadOut(Schema):
    token: str
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    expires_at: datetime


@router.post("/uploads", response={201: PaperUploadOut, **ERRORS, 429: ErrorOut}, summary="Tải lên một giấy tờ",
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["file"],
                 "properties": {"file": {"type": "string", "format": "binary"}}}}}}})
def paper_upload(request):
    """Upload one paper (multipart field `file`: PDF, JPG or PNG, checked by content, at most 10 MB) ahead of the
    submission or supplement that attaches it: send its `token` there in `upload_<component key>`. The paper is
    kept for you alone until `expires_at` (24 hours) and used once."""
    row = services.paper_upload(actor=request.user, upload=request.FILES.get("file"))
    return Status(201, {"token": row.token, "name": row.original_filename, "kind": row.kind,
                        "content_type": row.content_type, "size": row.size, "sha256": row.sha256,
                        "expires_at": timezone.localtime(row.created_at + UPLOAD_TTL)})


@router.get("/dossiers", response=list[DossierSummary], summary="Danh sách hồ sơ")
@paginate(BoundedPageNumberPagination, page_size=20)
def dossier_list(request, box: str = "all", q: str = ""):
    """A citizen: their own dossiers. An official: their agency's, by inbox `box` (new, to_process,
    to_approve, to_return, due_soon, late, paused, all) and search `q` (code, CCCD, name without diacritics)."""
    user = request.user
    if getattr(user, "kind", "") == "official":
        qs = selectors.inbox(user=user, box=box)
    else:
        qs = selectors.dossiers_for_citizen(user=user)
    return selectors.inbox_search(qs, q=q)


@router.get("/dossiers/{pk}", response={200: DossierOut, **ERRORS}, summary="Chi tiết hồ sơ")
def dossier_detail(request, pk: int):
    """Steps, history, papers, requests and `actions`: exactly what the caller may do now."""
    return _dossier(request, pk)


@router.post("/desk/dossiers", response={201: DossierOut, **ERRORS, 422: ErrorOut},
             summary="Tiếp nhận hồ sơ tại quầy / bưu chính", description=MULTIPART_FILES_NOTE + IDEMPOTENCY_NOTE,
             openapi_extra=REPLAY_RESPONSE_HEADER)
@_idempotent
def desk_register(request, procedure: Form[str] = "", channel: Form[int] = Channel.DESK,
                  return_method: Form[str] = Dossier.ReturnMethod.DESK, applicant_name: Form[str] = "",
                  applicant_cccd: Form[str] = "", applicant_phone: Form[str] = "", applicant_email: Form[str] = "",
                  applicant_address: Form[str] = "", form: Form[str] = "", counted: Form[str] = "",
                  idempotency_key: IdempotencyKeyHeader = None):
    """The one-stop receiver registers a dossier brought to the desk (channel 1) or by post (3) for their
    agency. `counted` (JSON): papers checked without a scan, {key: {originals, certified_copies, copies}}."""
    official = official_of(request.user)
    if official is None:
        raise PermissionDenied(_("Tiếp nhận hồ sơ tại quầy dành cho cán bộ bộ phận một cửa."))
    idem = _idempotency(request, idempotency_key, "api.desk_register")
    if not procedure.strip():
        raise ValidationError({"procedure": [_("Hãy ghi mã thủ tục của hồ sơ.")]})
    proc = catalog_selectors.procedure_public(code=procedure.strip())
    if return_method not in Dossier.ReturnMethod.values:
        raise ValidationError({"return_method": [_("Hình thức nhận kết quả phải là: online, desk hoặc post.")]})
    applicant = {"applicant_name": applicant_name, "applicant_cccd": applicant_cccd,
                 "applicant_phone": applicant_phone, "applicant_email": applicant_email,
                 "applicant_address": applicant_address}
    citizen = None
    if applicant_cccd.strip():
        citizen = User.objects.filter(kind="citizen", cccd=applicant_cccd.strip(), is_active=True).first()
    dossier = services.dossier_register_at_desk(
        actor=request.user, procedure=proc, agency=official.agency, applicant=applicant,
        form_data=_json_field(form, "form"), files=_files(request, proc), channel=channel, citizen=citizen,
        return_method=return_method, counted=_json_field(counted, "counted"), idempotency=idem)
    return _created(request, _fresh(request, dossier), idem)


# --- actions --------------------------------------------------------------------------------------

@router.post("/dossiers/{pk}/receive", response={200: DossierOut, **ACTION_ERRORS}, summary="Tiếp nhận hồ sơ")
@_conflict_as_409
def receive(request, pk: int, payload: NoteIn = None):
    d = services.dossier_receive(actor=request.user, dossier=_dossier(request, pk), note=(payload.note if payload else ""))
    return _fresh(request, d)


@router.post("/dossiers/{pk}/refuse", response={200: DossierOut, **ACTION_ERRORS}, summary="Từ chối tiếp nhận")
@_conflict_as_409
def refuse(request, pk: int, payload: ReasonIn):
    d = services.dossier_refuse(actor=request.user, dossier=_dossier(request, pk), reason=payload.reason)
    return _fresh(request, d)


@router.post("/dossiers/{pk}/assign", response={200: DossierOut, **ACTION_ERRORS}, summary="Chuyển xử lý")
@_conflict_as_409
def assign(request, pk: int, payload: AssignIn):
    dossier = _dossier(request, pk)
    d = services.dossier_assign(actor=request.user, dossier=dossier,
                                assignee=_official_of_my_agency(request, payload.assignee), note=payload.note)
    return _fresh(request, d)


@router.post("/dossiers/{pk}/forward", response={200: DossierOut, **ACTION_ERRORS}, summary="Chuyển tiếp")
@_conflict_as_409
def forward(request, pk: int, payload: ForwardIn):
    dossier = _dossier(request, pk)
    agency = None
    if payload.agency is not None:
        agency = agencies_of_installation(include_inactive=False).filter(pk=payload.agency).first()
        if agency is None:
            raise ValidationError({"agency": [_("Cơ quan nhận: không có cơ quan này.")]})
    assignee = None if agency else _official_of_my_agency(request, payload.assignee)
    d = services.dossier_forward(actor=request.user, dossier=dossier, assignee=assignee, agency=agency,
                                 note=payload.note)
    return _fresh(request, d)


@router.post("/dossiers/{pk}/submit-approval", response={200: DossierOut, **ACTION_ERRORS}, summary="Trình phê duyệt")
@_conflict_as_409
def submit_approval(request, pk: int, payload: SubmitApprovalIn = None):
    payload = payload or SubmitApprovalIn()
    dossier = _dossier(request, pk)
    leader = _official_of_my_agency(request, payload.leader, role="leader")
    if payload.leader is not None and leader is None:
        # Checked after the permission, so that nobody learns more than "not allowed" (as in apologize).
        if not access.official_acts_for(request.user, dossier.agency_id):
            raise PermissionDenied(_("Hồ sơ này không thuộc cơ quan của bạn."))
        raise ValidationError({"leader": [_("Lãnh đạo phê duyệt: hãy chọn một lãnh đạo của cơ quan.")]})
    d = services.dossier_submit_for_approval(actor=request.user, dossier=dossier, note=payload.note, leader=leader)
    return _fresh(request, d)


@router.post("/dossiers/{pk}/request-supplement", response={200: DossierOut, **ACTION_ERRORS},
             summary="Yêu cầu bổ sung hồ sơ")
@_conflict_as_409
def request_supplement(request, pk: int, payload: RequestSupplementIn):
    dossier = _dossier(request, pk)
    items = [i.dict() for i in payload.items]
    d = services.dossier_request_supplement(actor=request.user, dossier=dossier, reason=payload.reason, items=items)
    return _fresh(request, d)


@router.post("/dossiers/{pk}/supply", response={200: DossierOut, **ACTION_ERRORS}, summary="Công dân bổ sung hồ sơ",
             description=MULTIPART_FILES_NOTE)
@_conflict_as_409
def supply(request, pk: int, note: Form[str] = ""):
    dossier = _dossier(request, pk)
    d = services.dossier_supply(actor=request.user, dossier=dossier, files=_files(request, dossier.procedure), note=note)
    return _fresh(request, d)


@router.post("/dossiers/{pk}/request-payment", response={200: DossierOut, **ACTION_ERRORS},
             summary="Yêu cầu nộp phí, lệ phí")
@_conflict_as_409
def request_payment(request, pk: int, payload: RequestPaymentIn):
    dossier = _dossier(request, pk)
    d = services.dossier_request_payment(actor=request.user, dossier=dossier, amount=payload.amount,
                                         purpose=payload.purpose)
    return _fresh(request, d)


@router.post("/dossiers/{pk}/pay", response={200: DossierOut, **ACTION_ERRORS}, summary="Xác nhận đã nộp phí")
@_conflict_as_409
def pay(request, pk: int, payload: PayIn):
    d = services.dossier_pay(actor=request.user, dossier=_dossier(request, pk), reference=payload.reference)
    return _fresh(request, d)


@router.post("/dossiers/{pk}/withdraw", response={200: DossierOut, **ACTION_ERRORS}, summary="Rút hồ sơ")
@_conflict_as_409
def withdraw(request, pk: int, payload: ReasonIn = None):
    d = services.dossier_withdraw(actor=request.user, dossier=_dossier(request, pk),
                                  reason=payload.reason if payload else "")
    return _fresh(request, d)


@router.post("/dossiers/{pk}/stop", response={200: DossierOut, **ACTION_ERRORS}, summary="Dừng xử lý")
@_conflict_as_409
def stop(request, pk: int, payload: ReasonIn):
    d = services.dossier_stop(actor=request.user, dossier=_dossier(request, pk), reason=payload.reason)
    return _fresh(request, d)


@router.post("/dossiers/{pk}/approve", response={200: DossierOut, **ACTION_ERRORS}, summary="Phê duyệt",
             description=_("Multipart, tùy chọn: `result_file` (PDF kết quả); không gửi thì hệ thống tự lập kết quả."))
@_conflict_as_409
def approve(request, pk: int, note: Form[str] = "", result_file: File[UploadedFile] = None):
    d = services.dossier_approve(actor=request.user, dossier=_dossier(request, pk), result_file=result_file, note=note)
    return _fresh(request, d)


@router.post("/dossiers/{pk}/return", response={200: DossierOut, **ACTION_ERRORS}, summary="Trả kết quả")
@_conflict_as_409
def return_result(request, pk: int, payload: ReturnIn = None):
    d = services.dossier_return_result(actor=request.user, dossier=_dossier(request, pk),
                                       method=payload.method if payload else None)
    return _fresh(request, d)


@router.post("/dossiers/{pk}/apologize", response={200: DossierOut, **ACTION_ERRORS},
             summary="Xin lỗi và hẹn lại ngày trả")
@_conflict_as_409
def apologize(request, pk: int, payload: ApologizeIn):
    dossier = _dossier(request, pk)
    new_due_at = payload.new_due_at
    if new_due_at is None:
        # Checked after the permission, so that nobody learns more than "not allowed".
        if not (access.official_acts_for(request.user, dossier.agency_id)):
            raise PermissionDenied(_("Hồ sơ này không thuộc cơ quan của bạn."))
        raise ValidationError({"new_due_at": [_("Hãy nhập ngày giờ hẹn trả mới.")]})
    if timezone.is_naive(new_due_at):
        new_due_at = timezone.make_aware(new_due_at)
    d = services.dossier_apologize(actor=request.user, dossier=dossier, reason=payload.reason, new_due_at=new_due_at)
    return _fresh(request, d)


@router.post("/dossiers/{pk}/rate", response={200: DossierOut, **ACTION_ERRORS}, summary="Đánh giá")
@_conflict_as_409
def rate(request, pk: int, payload: RateIn):
    dossier = _dossier(request, pk)
    services.dossier_rate(actor=request.user, dossier=dossier, level=payload.level, criteria=payload.criteria,
                          comment=payload.comment)
    return _fresh(request, dossier)


@router.post("/dossiers/{pk}/complain", response={200: DossierOut, **ACTION_ERRORS}, summary="Phản ánh, kiến nghị")
@_conflict_as_409
def complain(request, pk: int, payload: ComplainIn):
    dossier = _dossier(request, pk)
    services.dossier_complain(actor=request.user, dossier=dossier, text=payload.text)
    return _fresh(request, dossier)


# --- documents ------------------------------------------------------------------------------------

DOCUMENT_KINDS = ("receipt", "supplement", "refusal", "apology", "control-slip")


@router.get("/dossiers/{pk}/documents/{kind}", response={**ERRORS}, openapi_extra=PDF_RESPONSE,
            summary="Giấy tờ của hồ sơ (PDF)")
def dossier_document(request, pk: int, kind: str):
    """kind: receipt (giấy tiếp nhận), supplement (phiếu yêu cầu bổ sung gần nhất), refusal (phiếu từ chối),
    apology (phiếu xin lỗi), control-slip (phiếu kiểm soát). 404 while the dossier has no such paper."""
    dossier = _dossier(request, pk)
    name = dossier.code or f"ho-so-{dossier.pk}"
    if kind == "receipt" and dossier.code and dossier.received_at:
        return _pdf(documents.receipt_pdf(dossier), f"{name}-giay-tiep-nhan.pdf")
    if kind == "supplement":
        req = dossier.supplement_requests.order_by("-id").first()
        if req is not None:
            return _pdf(documents.supplement_pdf(req), f"{name}-yeu-cau-bo-sung-{req.pk}.pdf")
    if kind == "refusal" and dossier.state == State.REFUSED:
        return _pdf(documents.refusal_pdf(dossier), f"{name}-tu-choi.pdf")
    if kind == "apology":
        apology = getattr(dossier, "apology", None) if hasattr(dossier, "apology") else None
        if apology is not None:
            return _pdf(documents.apology_pdf(apology), f"{name}-xin-loi.pdf")
    if kind == "control-slip" and dossier.received_at:
        return _pdf(documents.control_slip_pdf(dossier), f"{name}-phieu-kiem-soat.pdf")
    if kind not in DOCUMENT_KINDS:
        raise Http404(_("Không có loại giấy tờ này."))
    raise Http404(_("Hồ sơ này chưa có giấy tờ này."))


@router.get("/dossiers/{pk}/result", response={**ERRORS}, openapi_extra=PDF_RESPONSE, summary="Kết quả giải quyết (PDF)")
def dossier_result(request, pk: int):
    """The result document, for the applicant or an official of an agency handling the dossier."""
    dossier = _dossier(request, pk)
    access.require_papers(request.user, dossier)
    if not dossier.result_file:
        raise Http404(_("Hồ sơ chưa có kết quả."))
    with dossier.result_file.open("rb") as f:
        content = f.read()
    return _pdf(content, dossier.result_name or f"{dossier.code}-ket-qua.pdf")


# --- officials' inbox and warnings ----------------------------------------------------------------

def _require_official(user) -> None:
    if getattr(user, "kind", "") != "official":
        raise PermissionDenied(_("Chức năng này dành cho cán bộ, công chức."))


@router.get("/inbox/counts", response={200: dict[str, int], **ERRORS}, summary="Số hồ sơ theo từng hộp")
def inbox_counts(request):
    _require_official(request.user)
    return selectors.inbox_counts(user=request.user)


@router.get("/warnings", response={200: list[WarningOut], **ERRORS}, summary="Cảnh báo của tôi")
def warnings_list(request, unread: bool = False):
    _require_official(request.user)
    return list(selectors.warnings_for(user=request.user, unread_only=unread)[:200])


@router.post("/warnings/{warning_id}/read", response={200: WarningOut, **ERRORS}, summary="Đánh dấu cảnh báo đã đọc")
def warning_read(request, warning_id: int):
    services.warning_mark_read(actor=request.user, warning_id=warning_id)
    return Warning.objects.select_related("dossier").get(pk=warning_id, recipient=request.user)
