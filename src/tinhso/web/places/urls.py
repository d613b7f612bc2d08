from django.urls import path

from . import views

urlpatterns = [
    path("xa-phuong/", views.commune_list, name="commune_list"),
    path("co-quan/", views.agency_list, name="agency_list"),
    path("co-quan/them/", views.agency_create, name="agency_create"),
    path("co-quan/nhap-tep/", views.agency_import, name="agency_import"),
    path("co-quan/<str:code>/sua/", views.agency_edit, name="agency_edit"),
    path("co-quan/<str:code>/ngung-hoat-dong/", views.agency_deactivate, name="agency_deactivate"),
]
