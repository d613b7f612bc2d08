"""The officials' workspace: /can-bo/... (namespace `web`)."""
from django.urls import path

from . import action_views, desk_views, dossier_views, inbox_views, register_views

urlpatterns = [
    path("can-bo/ho-so/", inbox_views.inbox, name="inbox"),
    path("can-bo/canh-bao/", inbox_views.my_warnings, name="my_warnings"),
    path("can-bo/canh-bao/<int:warning_id>/da-doc/", inbox_views.warning_read, name="warning_mark_read"),
    path("can-bo/ho-so/<int:pk>/", dossier_views.official_dossier, name="official_dossier"),
    path("can-bo/ho-so/<int:pk>/giay-to/<int:component_id>/", dossier_views.component_download,
         name="official_dossier_component"),
    path("can-bo/ho-so/<int:pk>/ket-qua/", dossier_views.result_download, name="official_dossier_result"),
    path("can-bo/ho-so/<int:pk>/pdf/bo-sung/<int:request_id>/", dossier_views.supplement_pdf,
         name="official_dossier_supplement_pdf"),
    path("can-bo/ho-so/<int:pk>/pdf/<slug:kind>/", dossier_views.dossier_pdf, name="official_dossier_pdf"),
    path("can-bo/tiep-nhan/", desk_views.desk_register, name="desk_register"),
    path("can-bo/so-theo-doi/", register_views.dossier_register, name="dossier_register"),
]

# One URL per action: /can-bo/ho-so/<pk>/<slug>/, named official_dossier_<action>.
urlpatterns += [
    path(f"can-bo/ho-so/<int:pk>/{slug}/", action_views.action_view(str(action)),
         name=f"official_dossier_{action}")
    for action, slug in dossier_views.ACTION_SLUGS.items()
]
