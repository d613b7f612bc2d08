from django.urls import path

from . import views

urlpatterns = [
    path("thu-tuc/", views.procedure_list, name="procedure_list"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure_detail"),
    path("quan-ly/thu-tuc/", views.manage_list, name="procedure_manage_list"),
    path("quan-ly/thu-tuc/them/", views.manage_edit, name="procedure_manage_create"),
    path("quan-ly/thu-tuc/nhap/", views.manage_import, name="procedure_manage_import"),
    path("quan-ly/thu-tuc/xuat/", views.manage_export, name="procedure_manage_export"),
    path("quan-ly/thu-tuc/<str:code>/", views.manage_edit, name="procedure_manage_edit"),
    path("quan-ly/thu-tuc/<str:code>/cong-bo/", views.manage_publish, name="procedure_manage_publish"),
    path("quan-ly/thu-tuc/<str:code>/<slug:section>/", views.manage_section, name="procedure_manage_section"),
]
