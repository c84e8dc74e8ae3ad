"""Back office: the queue of quejas y reclamos.

Pages only show rows. A complaint changes status through one small form
("Cambiar estado", needs ``support.change_complaint``) that calls
``services.complaint_status_change``; nothing is added or deleted here. Attachments
are downloaded through ``<id>/adjunto/``, which checks the view permission and sends the
file as an attachment (never rendered inline, never from a public URL).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from enlinea.support.attachments import attachment_path
from enlinea.support.forms import ComplaintStatusForm
from enlinea.support.models import Complaint, ComplaintEvent
from enlinea.support.services import complaint_status_change, next_statuses


class ComplaintEventInline(admin.TabularInline):
    model = ComplaintEvent
    fields = ("created_at", "from_status", "to_status", "response", "by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = (
        "ticket",
        "created_at",
        "status",
        "product",
        "full_name",
        "identification",
        "has_attachment",
        "updated_at",
    )
    list_filter = ("status", "product", "created_at")
    search_fields = ("ticket", "identification", "member__identification", "full_name", "email")
    date_hierarchy = "created_at"
    list_select_related = ("member",)
    inlines = (ComplaintEventInline,)
    fieldsets = (
        (None, {"fields": ("ticket", "status", "created_at")}),
        (
            "Socio",
            {"fields": ("member", "full_name", "identification", "email")},
        ),
        (
            "Queja o reclamo",
            {"fields": ("product", "product_reference", "detail", "attachment_link")},
        ),
        ("Respuesta", {"fields": ("response", "updated_at", "updated_by")}),
        ("Consentimiento", {"fields": ("consent_at", "consent_version")}),
    )
    readonly_fields = (
        "ticket",
        "status",
        "status_actions",
        "created_at",
        "member",
        "full_name",
        "identification",
        "email",
        "product",
        "product_reference",
        "detail",
        "attachment_link",
        "response",
        "updated_at",
        "updated_by",
        "consent_at",
        "consent_version",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The detail page is read-only; status changes go through "Cambiar estado".
        return False

    def can_change_status(self, request: HttpRequest) -> bool:
        return request.user.has_perm("support.change_complaint")

    @admin.display(description="Adjunto", boolean=True)
    def has_attachment(self, obj: Complaint) -> bool:
        return bool(obj.attachment)

    @admin.display(description="Archivo adjunto")
    def attachment_link(self, obj: Complaint) -> str:
        if not obj.attachment:
            return "—"
        size_kb = max(1, (obj.attachment_size or 0) // 1024)
        return format_html(
            '<a href="{}">Descargar {}</a> ({}, {} KB)',
            reverse("admin:support_complaint_attachment", args=[obj.pk]),
            obj.attachment_name,
            obj.attachment_type,
            size_kb,
        )

    @admin.display(description="Acciones")
    def status_actions(self, obj: Complaint) -> str:
        if not next_statuses(obj.status):
            return "Estado final: no admite más cambios."
        return format_html(
            '<a class="button" href="{}">Cambiar estado</a>',
            reverse("admin:support_complaint_status", args=[obj.pk]),
        )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        """The "Cambiar estado" link only for those who may use it."""
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and self.can_change_status(request):
            name, options = fieldsets[0]
            fieldsets[0] = (name, {**options, "fields": (*options["fields"], "status_actions")})
        return fieldsets

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/estado/",
                self.admin_site.admin_view(self.status_view),
                name="support_complaint_status",
            ),
            path(
                "<path:object_id>/adjunto/",
                self.admin_site.admin_view(self.attachment_view),
                name="support_complaint_attachment",
            ),
        ]
        return own + super().get_urls()

    def _complaint(self, request: HttpRequest, object_id: str) -> Complaint:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No existe una queja o reclamo con ese identificador.")
        return obj

    def status_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.can_change_status(request):
            raise PermissionDenied
        complaint = self._complaint(request, object_id)
        change_url = reverse("admin:support_complaint_change", args=[complaint.pk])
        if not next_statuses(complaint.status):
            self.message_user(
                request,
                f"{complaint.ticket} está {complaint.get_status_display().lower()}: "
                "es un estado final.",
                messages.WARNING,
            )
            return HttpResponseRedirect(change_url)
        form = ComplaintStatusForm(request.POST or None, current_status=complaint.status)
        if request.method == "POST" and form.is_valid():
            try:
                updated = complaint_status_change(
                    complaint_id=complaint.pk,
                    expected_status=form.cleaned_data["expected_status"],
                    to_status=form.cleaned_data["status"],
                    response=form.cleaned_data["response"],
                    by=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.log_change(
                    request, updated, f"Estado cambiado a {updated.get_status_display()}."
                )
                self.message_user(
                    request,
                    f"{updated.ticket} pasó a «{updated.get_status_display()}». "
                    "Se avisó al socio por correo.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        reference = f" · {complaint.product_reference}" if complaint.product_reference else ""
        context = {
            **self.admin_site.each_context(request),
            "title": f"Cambiar estado de {complaint.ticket}",
            "subtitle": complaint.get_status_display(),
            "opts": self.opts,
            "original": complaint,
            "form": form,
            "summary": [
                ("Estado actual", complaint.get_status_display()),
                ("Socio", f"{complaint.full_name} ({complaint.identification})"),
                ("Producto", f"{complaint.get_product_display()}{reference}"),
                ("Detalle", complaint.detail),
            ],
            "submit_label": "Guardar estado",
            "media": self.media + form.media,
        }
        # The back office's one template for a form that calls a service.
        return TemplateResponse(request, "admin/products/service_form.html", context)

    def attachment_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        complaint = self._complaint(request, object_id)
        if not complaint.attachment:
            raise Http404("Esta queja o reclamo no tiene archivo adjunto.")
        try:
            handle = attachment_path(complaint.attachment).open("rb")
        except FileNotFoundError:
            raise Http404("El archivo adjunto ya no está guardado.") from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=complaint.attachment_name or f"{complaint.ticket}",
            content_type=complaint.attachment_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
