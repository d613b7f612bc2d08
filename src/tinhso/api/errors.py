"""One error shape for the whole API: {"detail": message, "errors": [{"field", "message"}]}."""
from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError as NinjaValidationError


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    """Every error of the API: a Vietnamese `detail` and, for bad input, one entry per field."""
    detail: str
    errors: list[FieldError] = []


# Errors raised by the layers around every handler, documented on each operation they can reach
# (see document_layer_errors): bad JSON (400), input not matching the schema (422), no session (401),
# a missing CSRF token on a session-authenticated write or an action not allowed (403).
LAYER_ERRORS = {
    400: "Nội dung gửi lên không đọc được (JSON hoặc biểu mẫu hỏng), hoặc dữ liệu không hợp lệ.",
    401: "Chưa đăng nhập.",
    403: "Thiếu mã CSRF (ghi bằng phiên đăng nhập), hoặc không có quyền.",
    422: "Dữ liệu không đúng lược đồ: kiểu, định dạng hoặc trường bắt buộc.",
}


def document_layer_errors(schema: dict) -> dict:
    """Add to each operation of an OpenAPI schema the error answers the layers around it can give."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in error_schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault("ErrorOut", error_schema)
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            codes = []
            if operation.get("requestBody"):
                codes.append(400)
            if operation.get("requestBody") or operation.get("parameters"):
                codes.append(422)
            if operation.get("security"):
                codes += [401, 403]
            responses = operation.setdefault("responses", {})
            for code in codes:
                if code not in responses and str(code) not in responses:  # ninja keys them by int
                    responses[code] = {"description": LAYER_ERRORS[code], **ref}
    return schema


def _field_of(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "payload")]
    return ".".join(parts)


def install_error_handlers(api) -> None:
    @api.exception_handler(NinjaValidationError)
    def on_schema_error(request, exc):
        errors = []
        for e in exc.errors:
            field = _field_of(e.get("loc", ()))
            errors.append({"field": field, "message": _("Giá trị của trường “%(f)s” không hợp lệ: %(m)s") % {"f": field, "m": e.get("msg", "")}})
        return api.create_response(request, {"detail": _("Dữ liệu gửi lên không hợp lệ."), "errors": errors}, status=422)

    @api.exception_handler(DjangoValidationError)
    def on_domain_error(request, exc):
        errors = []
        if hasattr(exc, "error_dict"):
            for field, errs in exc.message_dict.items():
                for m in errs:
                    errors.append({"field": field, "message": m})
        else:
            for m in exc.messages:
                errors.append({"field": "", "message": m})
        detail = errors[0]["message"] if errors else _("Dữ liệu không hợp lệ.")
        return api.create_response(request, {"detail": detail, "errors": errors}, status=400)

    @api.exception_handler(PermissionDenied)
    def on_denied(request, exc):
        return api.create_response(request, {"detail": str(exc) or _("Bạn không có quyền thực hiện thao tác này.")}, status=403)

    @api.exception_handler(HttpError)
    def on_http_error(request, exc):
        # Session-authenticated writes check the CSRF token (ninja's SessionAuth raises HttpError(403)).
        if exc.status_code == 403 and "CSRF" in str(exc):
            detail = _("Thiếu mã chống giả mạo yêu cầu (CSRF) hoặc mã không hợp lệ: gửi kèm tiêu đề X-CSRFToken "
                       "lấy từ cookie csrftoken của phiên đăng nhập.")
        elif exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            detail = _("Nội dung gửi lên không đọc được: hãy gửi JSON hoặc biểu mẫu hợp lệ, mã hóa UTF-8.")
        else:
            detail = str(exc)
        return api.create_response(request, {"detail": detail, "errors": []}, status=exc.status_code)

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, exc):
        return api.create_response(request, {"detail": _("Bạn cần đăng nhập.")}, status=401)

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return api.create_response(request, {"detail": str(exc) or _("Không tìm thấy.")}, status=404)
