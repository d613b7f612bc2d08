from django.contrib import admin

from .models import DomainEvent


@admin.register(DomainEvent)
class DomainEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "name", "subject_type", "subject_id", "actor")
    list_filter = ("name",)
    readonly_fields = [f.name for f in DomainEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
