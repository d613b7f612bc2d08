from django.urls import include, path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ngon-ngu/<slug:code>/", views.language, name="language"),
    # The public portal and reports first: the most visited pages (URL resolution tries the patterns in
    # order; apps' prefixes are disjoint, except can-bo/, whose three apps keep their order).
    path("", include("tinhso.web.portal.urls")),
    path("", include("tinhso.web.feedback.urls")),
    path("", include("tinhso.web.places.urls")),
    path("", include("tinhso.web.people.urls")),
    path("", include("tinhso.web.workcal.urls")),
    path("", include("tinhso.web.catalog.urls")),
    path("", include("tinhso.web.workspace.urls")),
    path("", include("tinhso.web.datastore.urls")),
    path("", include("tinhso.web.scoring.urls")),
    path("", include("tinhso.web.ioc.urls")),
]
