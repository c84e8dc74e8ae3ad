from __future__ import annotations

from django.urls import path

from enlinea.beneficiaries import views

app_name = "beneficiaries"

urlpatterns = [
    path("", views.beneficiary_list, name="list"),
    path("nuevo/", views.beneficiary_new, name="new"),
    path("nuevo/mi-institucion/", views.beneficiary_new_internal, name="new_internal"),
    path("nuevo/otras-instituciones/", views.beneficiary_new_external, name="new_external"),
    path("<int:beneficiary_id>/editar/", views.beneficiary_edit, name="edit"),
    path("<int:beneficiary_id>/eliminar/", views.beneficiary_delete, name="delete"),
]
