from django.urls import path

from . import views

urlpatterns = [
    path("lich-lam-viec/", views.calendar_month, name="calendar_month"),
    path("lich-lam-viec/quan-tri/", views.calendar_admin, name="calendar_admin"),
    path("lich-lam-viec/quan-tri/them/", views.calendar_entry_create, name="calendar_entry_create"),
    path("lich-lam-viec/quan-tri/<int:pk>/sua/", views.calendar_entry_edit, name="calendar_entry_edit"),
    path("lich-lam-viec/quan-tri/<int:pk>/xoa/", views.calendar_entry_delete, name="calendar_entry_delete"),
    path("lich-lam-viec/quan-tri/gio-lam-viec/", views.working_hours_edit, name="working_hours_edit"),
]
