"""The form a citizen fills in to add a self-declared paper to their data store."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tinhso.datastore.vocabulary import DocType

DATE_INPUT = ["%d/%m/%Y", "%Y-%m-%d"]


class DocumentAddForm(forms.Form):
    doc_type = forms.ChoiceField(
        label=_("Loại giấy tờ"), choices=[("", _("— Chọn loại giấy tờ —"))] + list(DocType.choices),
        error_messages={"required": _("Hãy chọn loại giấy tờ."),
                        "invalid_choice": _("Hãy chọn loại giấy tờ trong danh sách.")})
    title = forms.CharField(
        label=_("Tên giấy tờ"), max_length=300, required=False,
        help_text=_("Ví dụ: Giấy khai sinh của Nguyễn Minh An. Bỏ trống để dùng tên loại giấy tờ."),
        error_messages={"max_length": _("Tên giấy tờ dài quá, tối đa %(limit_value)d ký tự.")})
    number = forms.CharField(label=_("Số giấy tờ"), max_length=60, required=False,
                             error_messages={"max_length": _("Số giấy tờ dài quá, tối đa %(limit_value)d ký tự.")})
    issuer = forms.CharField(label=_("Cơ quan cấp"), max_length=300, required=False,
                             error_messages={"max_length": _("Tên cơ quan cấp dài quá, tối đa %(limit_value)d ký tự.")})
    issued_on = forms.DateField(
        label=_("Ngày cấp"), required=False, input_formats=DATE_INPUT, help_text=_("Dạng ngày/tháng/năm, ví dụ 05/03/2024."),
        error_messages={"invalid": _("Ngày cấp: hãy nhập theo dạng ngày/tháng/năm, ví dụ 05/03/2024.")})
    valid_until = forms.DateField(
        label=_("Có giá trị đến"), required=False, input_formats=DATE_INPUT,
        help_text=_("Bỏ trống nếu giấy tờ không có thời hạn. Dạng ngày/tháng/năm."),
        error_messages={"invalid": _("Có giá trị đến: hãy nhập theo dạng ngày/tháng/năm, ví dụ 05/03/2034.")})
    file = forms.FileField(
        label=_("Tệp giấy tờ (PDF, JPG hoặc PNG, tối đa 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
        error_messages={"required": _("Hãy chọn tệp giấy tờ (PDF, JPG hoặc PNG)."),
                        "empty": _("Tệp đã chọn trống; hãy chọn tệp khác.")})
