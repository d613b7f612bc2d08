from django.contrib import admin
from django.urls import include, path

from tinhso.api.root import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
    path("tai-khoan/", include("allauth.urls")),
    path("api/", api.urls),
    path("open311/", include("tinhso.api.open311.urls")),
    path("", include("tinhso.web.urls")),
]
