from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "En Línea · Back office"
admin.site.site_title = "En Línea · Back office"
admin.site.index_title = "Administración"

urlpatterns = [
    path("backoffice/", admin.site.urls),
    path("", include("enlinea.web.urls")),
    path("", include("enlinea.notifications.urls")),
    path("", include("enlinea.access.urls_session")),
    path("", include("enlinea.access.urls_enrolment")),
    path("", include("enlinea.access.urls_profile")),
    path("", include("enlinea.confirmation.urls")),
    path("soporte/", include("enlinea.support.urls")),
    path("posicion/", include("enlinea.position.urls")),
    path("comprobantes/", include("enlinea.receipts.urls")),
    path("", include("enlinea.documents.urls")),
    path("transferencias/beneficiarios/", include("enlinea.beneficiaries.urls")),
    path("transferencias/", include("enlinea.transfers.urls")),
    path("servicios/", include("enlinea.limits.urls")),
    path("", include("enlinea.payments.urls")),
    path("tarjetas/", include("enlinea.cards.urls")),
]

handler400 = "enlinea.web.views.bad_request"
handler403 = "enlinea.web.views.permission_denied"
handler404 = "enlinea.web.views.page_not_found"
handler500 = "enlinea.web.views.server_error"
