"""The working calendar as data: entries that override the statutory holidays, and the working hours."""
import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarEntry(models.Model):
    """One day that the government (or the province) declared off or declared a working day.

    Entries override the statutory holidays computed by the `holidays` package."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ")
        WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại ngày"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("tên"), max_length=200)
    source = models.CharField(_("văn bản căn cứ"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("người tạo"),
    )
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("người sửa"),
    )
    updated_at = models.DateTimeField(_("thời điểm sửa"), auto_now=True)

    class Meta:
        verbose_name = _("ngày trong lịch làm việc")
        verbose_name_plural = _("ngày trong lịch làm việc")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["day_off", "working_day"]), name="workcal_entry_kind_valid"),
            models.CheckConstraint(condition=~models.Q(name=""), name="workcal_entry_name_not_empty"),
            models.CheckConstraint(condition=~models.Q(source=""), name="workcal_entry_source_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


DEFAULT_HOURS = {
    "morning_start": dt.time(7, 30),
    "morning_end": dt.time(11, 30),
    "afternoon_start": dt.time(13, 30),
    "afternoon_end": dt.time(17, 30),
    "same_day_cutoff": dt.time(15, 0),
}


class WorkingHours(models.Model):
    """The installation's working hours (one row). `revision` changes with every change of the
    calendar, so that every process knows when to rebuild its cached calendar."""

    singleton = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    morning_start = models.TimeField(_("giờ bắt đầu buổi sáng"), default=DEFAULT_HOURS["morning_start"])
    morning_end = models.TimeField(_("giờ kết thúc buổi sáng"), default=DEFAULT_HOURS["morning_end"])
    afternoon_start = models.TimeField(_("giờ bắt đầu buổi chiều"), default=DEFAULT_HOURS["afternoon_start"])
    afternoon_end = models.TimeField(_("giờ kết thúc buổi chiều"), default=DEFAULT_HOURS["afternoon_end"])
    same_day_cutoff = models.TimeField(_("giờ chốt nhận hồ sơ giải quyết trong ngày"), default=DEFAULT_HOURS["same_day_cutoff"])
    revision = models.UUIDField(_("phiên bản lịch"), default=uuid.uuid4)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("người sửa"),
    )
    updated_at = models.DateTimeField(_("thời điểm sửa"), auto_now=True)

    class Meta:
        verbose_name = _("giờ làm việc")
        verbose_name_plural = _("giờ làm việc")
        constraints = [
            models.CheckConstraint(condition=models.Q(singleton=1), name="workcal_hours_singleton"),
            models.CheckConstraint(
                condition=models.Q(morning_start__lt=models.F("morning_end"))
                & models.Q(morning_end__lte=models.F("afternoon_start"))
                & models.Q(afternoon_start__lt=models.F("afternoon_end")),
                name="workcal_hours_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(same_day_cutoff__gt=models.F("morning_start"))
                & models.Q(same_day_cutoff__lte=models.F("afternoon_end")),
                name="workcal_cutoff_within_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.morning_start:%H:%M}–{self.morning_end:%H:%M}, {self.afternoon_start:%H:%M}–{self.afternoon_end:%H:%M}"
