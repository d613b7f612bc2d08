from django.urls import path

from . import official_views, views

urlpatterns = [
    path("kho-du-lieu/", views.my_store, name="my_store"),
    path("kho-du-lieu/ai-da-dung/", views.who_used_my_data, name="who_used_my_data"),
    path("kho-du-lieu/<int:doc_id>/tai/", views.my_store_download, name="my_store_download"),
    path("kho-du-lieu/<int:doc_id>/xoa/", views.my_store_remove, name="my_store_remove"),
    path("can-bo/ho-so/<int:pk>/kho-du-lieu/", official_views.official_dossier_store, name="official_dossier_store"),
    path("can-bo/ho-so/<int:pk>/kho-du-lieu/<int:doc_id>/", official_views.official_store_document,
         name="official_store_document"),
    path("can-bo/ho-so/<int:pk>/kho-du-lieu/<int:doc_id>/doi-chieu/", official_views.official_store_verify,
         name="official_store_verify"),
]
