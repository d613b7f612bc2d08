"""Forms of the working-calendar pages: they only parse input; the services decide."""
from django import forms
from django.utils.translation import gettext_lazy as _

from tinhso.workcal.models import CalendarEntry


class CalendarEntryForm(forms.Form):
    date = forms.DateField(
        label=_("Ngày"), help_text=_("Ví dụ: 24/11/2026."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Hãy nhập ngày."), "invalid": _("Ngày không hợp lệ, hãy nhập theo dạng ngày/tháng/năm.")},
    )
    kind = forms.ChoiceField(
        label=_("Loại ngày"), choices=CalendarEntry.Kind.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn loại ngày: ngày nghỉ hoặc ngày làm việc (làm bù).")},
    )
    name = forms.CharField(
        label=_("Tên ngày"), max_length=200, help_text=_("Ví dụ: Ngày Văn hóa Việt Nam."),
        error_messages={"required": _("Hãy nhập tên ngày."), "max_length": _("Tên ngày dài tối đa 200 ký tự.")},
    )
    source = forms.CharField(
        label=_("Văn bản căn cứ"), max_length=500, help_text=_("Số, ngày và cơ quan ban hành văn bản quyết định ngày này."),
        error_messages={"required": _("Hãy nhập văn bản căn cứ."), "max_length": _("Văn bản căn cứ dài tối đa 500 ký tự.")},
    )


def _time_field(label):
    return forms.TimeField(
        label=label, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": _("Hãy nhập giờ."), "invalid": _("Giờ không hợp lệ, hãy nhập theo dạng giờ:phút, ví dụ 07:30.")},
    )


class WorkingHoursForm(forms.Form):
    morning_start = _time_field(_("Giờ bắt đầu buổi sáng"))
    morning_end = _time_field(_("Giờ kết thúc buổi sáng"))
    afternoon_start = _time_field(_("Giờ bắt đầu buổi chiều"))
    afternoon_end = _time_field(_("Giờ kết thúc buổi chiều"))
    same_day_cutoff = _time_field(_("Giờ chốt nhận hồ sơ giải quyết trong ngày"))
