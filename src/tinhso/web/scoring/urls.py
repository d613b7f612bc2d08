from django.urls import path

from . import views

urlpatterns = [
    path("diem-so/", views.rankings, name="scoring_rankings"),
    path("diem-so/can-bo/toi/", views.my_evaluation, name="scoring_my_evaluation"),
    path("diem-so/can-bo/<int:user_id>/", views.evaluation, name="scoring_evaluation"),
    path("diem-so/can-bo/<int:user_id>/phieu.pdf", views.evaluation_pdf, name="scoring_evaluation_pdf"),
    path("diem-so/can-bo/<int:user_id>/phieu.xlsx", views.evaluation_xlsx, name="scoring_evaluation_xlsx"),
]
