from django.urls import path

from . import citizen, coordination, officials, public, pwa

urlpatterns = [
    path("phan-anh/", public.report_list, name="report_list"),
    path("phan-anh/gui/", citizen.report_create, name="report_create"),
    path("phan-anh/cua-toi/", citizen.my_reports, name="my_reports"),
    path("phan-anh/sw.js", pwa.service_worker, name="feedback_sw"),
    path("phan-anh/manifest.webmanifest", pwa.manifest, name="feedback_manifest"),
    path("phan-anh/dieu-phoi/", officials.coord_queue, name="feedback_coord_queue"),
    path("phan-anh/dieu-phoi/<str:public_id>/", officials.coord_report, name="feedback_coord_report"),
    path("phan-anh/xu-ly/", officials.agency_queue, name="feedback_agency_queue"),
    path("phan-anh/xu-ly/<str:public_id>/", officials.agency_report, name="feedback_agency_report"),
    path("phan-anh/dinh-tuyen/", officials.routing_table, name="feedback_routing"),
    path("phan-anh/quan-tri/khoa-api/", coordination.apikeys, name="feedback_apikeys"),
    path("phan-anh/quan-tri/truc/", coordination.duty_officers, name="feedback_duty"),
    path("phan-anh/quan-tri/linh-vuc/", coordination.categories, name="feedback_categories"),
    path("phan-anh/quan-tri/linh-vuc/them/", coordination.category_edit, name="feedback_category_create"),
    path("phan-anh/quan-tri/linh-vuc/<slug:code>/", coordination.category_edit, name="feedback_category_edit"),
    path("phan-anh/<str:public_id>/", public.report_detail, name="report_detail"),
    path("phan-anh/<str:public_id>/anh/<int:photo_id>/", public.report_photo, name="report_photo"),
    path("phan-anh/<str:public_id>/danh-gia/", citizen.report_rate, name="report_rate"),
    path("phan-anh/<str:public_id>/phan-anh-lai/", citizen.report_reopen, name="report_reopen"),
    path("phan-anh/<str:public_id>/dong/", citizen.report_close, name="report_close"),
]
