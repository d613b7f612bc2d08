from django.urls import path

from . import actions, mine, submit, track

urlpatterns = [
    path("tra-cuu/<str:code>/", track.track_code, name="track_code"),
    path("tra-cuu/", track.track, name="track"),
    path("ho-so/nop/<str:code>/", submit.dossier_submit, name="dossier_submit"),
    path("ho-so-cua-toi/", mine.my_dossiers, name="my_dossiers"),
    path("ho-so-cua-toi/<int:pk>/", mine.my_dossier, name="my_dossier"),
    path("ho-so-cua-toi/<int:pk>/bo-sung/", actions.supply, name="portal_supply"),
    path("ho-so-cua-toi/<int:pk>/nop-phi/", actions.pay, name="portal_pay"),
    path("ho-so-cua-toi/<int:pk>/rut-ho-so/", actions.withdraw, name="portal_withdraw"),
    path("ho-so-cua-toi/<int:pk>/danh-gia/", actions.rate, name="portal_rate"),
    path("ho-so-cua-toi/<int:pk>/phan-anh/", actions.complain, name="portal_complain"),
    path("ho-so-cua-toi/<int:pk>/tep/<int:component_id>/", mine.component_file, name="portal_component_file"),
    path("ho-so-cua-toi/<int:pk>/ket-qua/", mine.result_file, name="portal_result"),
    path("ho-so-cua-toi/<int:pk>/van-ban/<slug:kind>/", mine.document, name="portal_document"),
]
