"""Forms of the citizen portal: the choices around an online submission, and the citizen's actions on
their dossier (supplement, payment, withdrawal, rating, complaint) and the public tracking form.

The application form itself (tờ khai) is generated from the catalog (`catalog.forms.form_class_for`)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tinhso.dossiers.models import Dossier, Rating

RATING_CRITERIA = [
    ("dung_hen", _("Đúng hẹn")),
    ("thai_do", _("Thái độ phục vụ")),
    ("khong_di_lai", _("Không phải đi lại nhiều lần")),
    ("huong_dan", _("Hướng dẫn rõ ràng, dễ hiểu")),
]


class SubmitChoicesForm(forms.Form):
    """The receiving agency (when several may receive), the return method and the one-time token."""

    co_quan = forms.TypedChoiceField(
        label=_("Nơi tiếp nhận hồ sơ"), coerce=int, required=True,
        help_text=_("Chọn UBND xã, phường hoặc cơ quan bạn muốn gửi hồ sơ đến."),
        error_messages={"required": _("Hãy chọn nơi tiếp nhận hồ sơ."),
                        "invalid_choice": _("Hãy chọn nơi tiếp nhận hồ sơ trong danh sách.")},
    )
    hinh_thuc_nhan = forms.ChoiceField(
        label=_("Bạn muốn nhận kết quả bằng cách nào?"), choices=Dossier.ReturnMethod.choices,
        initial=Dossier.ReturnMethod.ONLINE, widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn cách nhận kết quả."),
                        "invalid_choice": _("Hãy chọn cách nhận kết quả trong danh sách.")},
    )
    submit_token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        agencies = list(agencies)
        if len(agencies) > 1:
            self.fields["co_quan"].choices = [("", _("— Chọn xã, phường hoặc cơ quan —"))] + [
                (a.pk, a.name) for a in agencies]
        else:
            del self.fields["co_quan"]


class SupplyForm(forms.Form):
    note = forms.CharField(
        label=_("Nội dung trả lời (nếu có)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Nội dung trả lời dài quá, tối đa %(limit_value)d ký tự.")},
    )


class PayForm(forms.Form):
    reference = forms.CharField(
        label=_("Mã giao dịch chuyển khoản"), max_length=100,
        help_text=_("Mã giao dịch in trên biên lai hoặc trong ứng dụng ngân hàng sau khi bạn chuyển khoản."),
        error_messages={"required": _("Hãy nhập mã giao dịch chuyển khoản."),
                        "max_length": _("Mã giao dịch dài quá, tối đa %(limit_value)d ký tự.")},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do rút hồ sơ"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Lý do dài quá, tối đa %(limit_value)d ký tự.")},
    )
    confirm = forms.BooleanField(
        label=_("Tôi hiểu rằng hồ sơ sẽ dừng giải quyết và muốn rút hồ sơ này"),
        error_messages={"required": _("Hãy đánh dấu ô xác nhận nếu bạn thật sự muốn rút hồ sơ.")},
    )


class RateForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Bạn đánh giá việc giải quyết hồ sơ thế nào?"), choices=Rating.Level.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn mức: hài lòng, chấp nhận được hoặc không hài lòng."),
                        "invalid_choice": _("Hãy chọn mức: hài lòng, chấp nhận được hoặc không hài lòng.")},
    )
    criteria = forms.MultipleChoiceField(
        label=_("Những điều bạn hài lòng (chọn các ý đúng)"), choices=RATING_CRITERIA, required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Hãy chọn tiêu chí trong danh sách.")},
    )
    comment = forms.CharField(
        label=_("Góp ý thêm (nếu có)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Góp ý dài quá, tối đa %(limit_value)d ký tự.")},
    )

    def criteria_dict(self) -> dict[str, bool]:
        chosen = set(self.cleaned_data.get("criteria") or [])
        return {key: key in chosen for key, _label in RATING_CRITERIA}


class ComplainForm(forms.Form):
    text = forms.CharField(
        label=_("Nội dung phản ánh, kiến nghị"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Hãy ghi nội dung phản ánh, kiến nghị."),
                        "max_length": _("Nội dung dài quá, tối đa %(limit_value)d ký tự.")},
    )


class TrackForm(forms.Form):
    ma = forms.CharField(
        label=_("Mã hồ sơ"), max_length=32,
        help_text=_("Mã in trên giấy tiếp nhận và hẹn trả kết quả, ví dụ 000.31.19.H55-260105-0001."),
        error_messages={"required": _("Hãy nhập mã hồ sơ."),
                        "max_length": _("Mã hồ sơ dài quá, tối đa %(limit_value)d ký tự.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
