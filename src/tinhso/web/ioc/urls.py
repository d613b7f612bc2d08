"""The operations centre: /ioc/... (namespace `web`)."""
from django.urls import path

from . import views

urlpatterns = [
    path("ioc/", views.overview, name="ioc_overview"),
    path("ioc/man-hinh-lon/", views.wall, name="ioc_wall"),
    path("ioc/chi-tieu/", views.breakdown, name="ioc_breakdown"),
    path("ioc/ho-so/", views.dossiers, name="ioc_dossiers"),
    path("ioc/phan-anh/", views.reports, name="ioc_reports"),
    path("ioc/xa-phuong/", views.communes, name="ioc_communes"),
    path("ioc/ban-do/", views.commune_map, name="ioc_map"),
    path("ioc/dien-bien/", views.series, name="ioc_series"),
    path("ioc/chi-so-766/", views.index766, name="ioc_index766"),
    path("ioc/bao-cao-thang/", views.monthly_report, name="ioc_monthly"),
]
