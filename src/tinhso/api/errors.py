"""One error shape for the whole API: {"detail": message, "errors": [{"field", "message"}]}."""
from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, ValidationError as NinjaValidationError


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

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, exc):
        return api.create_response(request, {"detail": _("Bạn cần đăng nhập.")}, status=401)

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return api.create_response(request, {"detail": str(exc) or _("Không tìm thấy.")}, status=404)
