from django.urls import path

from . import views

urlpatterns = [
    path("can-bo/dang-nhap/", views.official_login, name="official_login"),
    path("tai-khoan-cua-toi/", views.profile, name="profile"),
    path("can-bo/quan-tri/", views.official_list, name="official_list"),
    path("can-bo/quan-tri/them/", views.official_create, name="official_create"),
    path("can-bo/quan-tri/<int:official_id>/vai-tro/", views.official_roles, name="official_roles"),
    path("can-bo/quan-tri/<int:official_id>/khoa/", views.official_deactivate, name="official_deactivate"),
]
