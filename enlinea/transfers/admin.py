"""Back office of the interbank clearing: the orders (with the queue of the atascadas and
its Reintentar / Devolver), the batches and the credits received. Read-only pages;
every change is one of the two actions, each a form that calls one entry point of
``enlinea.transfers.clearing`` (audited, idempotent, under the order's row lock)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from enlinea.products.admin import ProductAdmin, change_url, link, money
from enlinea.products.forms import ServiceForm

from .clearing import (
    MSG_REASON_REQUIRED,
    interbank_transfer_retry,
    interbank_transfer_return,
    is_stuck,
    stuck_minutes,
    stuck_q,
)
from .models import IncomingTransfer, InterbankBatch, InterbankTransfer

RESOLVE = "transfers.resolve_interbanktransfer"


class StuckFilter(admin.SimpleListFilter):
    title = "atascadas"
    parameter_name = "atascadas"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("si", f"Sí (sin respuesta hace más de {stuck_minutes()} min)"),
            ("no", "No"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "si":
            return queryset.filter(stuck_q())
        if self.value() == "no":
            return queryset.exclude(stuck_q())
        return queryset


class RetryForm(ServiceForm):
    """Reintentar sends no fields: the page shows the order and the button confirms."""

    service_error_field = None


class ReturnForm(ServiceForm):
    service_error_field = "reason"

    reason = forms.CharField(
        label="Motivo de la devolución",
        max_length=160,
        error_messages={
            "required": MSG_REASON_REQUIRED,
            "max_length": "Escribe el motivo en 160 caracteres como máximo.",
        },
        help_text=(
            "Se muestra al socio en el movimiento y en el correo, por ejemplo "
            "«CONFIRMADO CON EL BCE: NO PROCESADA». Devuelve solo si el Banco Central "
            "confirmó que la orden no se pagó."
        ),
    )


@admin.register(InterbankTransfer)
class InterbankTransferAdmin(ProductAdmin):
    """Outgoing interbank transfers. Filter «atascadas» is the queue: PENDIENTE or
    ENVIADA with no answer from the network past the time limit."""

    list_display = (
        "number",
        "created_at",
        "member_link",
        "amount_display",
        "beneficiary_name",
        "institution",
        "beneficiary_account",
        "status",
        "batch_link",
        "sent_at",
        "attempts",
        "stuck_display",
    )
    list_filter = (StuckFilter, "status", "institution")
    search_fields = (
        "=receipt__id",
        "=source__number",
        "=member__identification",
        "=beneficiary_account",
        "beneficiary_name",
    )
    list_select_related = ("member", "batch")
    date_hierarchy = "created_at"
    fields = (
        "number",
        "status",
        "member_link",
        "source_link",
        "amount_display",
        "fees_display",
        "beneficiary_name",
        "beneficiary_identification",
        "beneficiary_account",
        "beneficiary_account_type",
        "institution",
        "motive",
        "created_at",
        "batch_link",
        "sent_at",
        "attempts",
        "settled_at",
        "returned_at",
        "return_reason",
        "returned_by",
        "return_receipt",
    )

    ACTION_VIEWS = (
        ("reintentar", "retry", "Reintentar", RESOLVE),
        ("devolver", "giveback", "Devolver", RESOLVE),
    )

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # made by the member's transfer, never here

    @admin.display(description="Comprobante N.º", ordering="receipt_id")
    def number(self, obj: InterbankTransfer) -> int:
        return obj.receipt_id

    @admin.display(description="Valor", ordering="amount")
    def amount_display(self, obj: InterbankTransfer) -> str:
        return money(obj.amount)

    @admin.display(description="Comisión + IVA")
    def fees_display(self, obj: InterbankTransfer) -> str:
        return money(obj.commission + obj.iva)

    @admin.display(description="Cuenta de origen")
    def source_link(self, obj: InterbankTransfer) -> str:
        return link(obj.source)

    @admin.display(description="Lote", ordering="batch_id")
    def batch_link(self, obj: InterbankTransfer) -> str:
        return link(obj.batch, obj.batch.reference) if obj.batch else "—"

    @admin.display(description="Atascada", boolean=True)
    def stuck_display(self, obj: InterbankTransfer) -> bool:
        return is_stuck(obj)

    def get_list_display(self, request: HttpRequest) -> list:
        columns = list(super().get_list_display(request))
        act = self.action_links(
            request, ((name, label, perm) for _, name, label, perm in self.ACTION_VIEWS)
        )
        if act is None:
            return columns

        @admin.display(description="Acciones")
        def actions_column(obj: InterbankTransfer) -> SafeString | str:
            return act(obj) if is_stuck(obj) else "—"

        return [*columns, actions_column]

    def get_urls(self) -> list[URLPattern]:
        views = [
            (segment, name, getattr(self, f"{name}_view"))
            for segment, name, _, _ in self.ACTION_VIEWS
        ]
        return self.object_view_urls(views) + super().get_urls()

    def summary(self, transfer: InterbankTransfer) -> list[tuple[str, str]]:
        last = transfer.sent_at or transfer.created_at
        return [
            ("Comprobante N.º", str(transfer.receipt_id)),
            ("Estado", transfer.get_status_display()),
            ("Socio", f"{transfer.member.full_name} ({transfer.member.identification})"),
            ("Cuenta de origen", str(transfer.source)),
            ("Valor", money(transfer.amount)),
            ("Comisión + IVA", money(transfer.commission + transfer.iva)),
            ("Beneficiario", transfer.beneficiary_name),
            ("Cuenta", f"{transfer.beneficiary_account_type} {transfer.beneficiary_account}"),
            ("Institución", transfer.institution),
            ("Lote", transfer.batch.reference if transfer.batch else "—"),
            ("Último envío", timezone.localtime(last).strftime("%d/%m/%Y %H:%M")),
            ("Envíos", str(transfer.attempts)),
        ]

    def retry_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._action_view(request, object_id, retry=True)

    def giveback_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._action_view(request, object_id, retry=False)

    def _action_view(self, request: HttpRequest, object_id: str, *, retry: bool) -> HttpResponse:
        self.require(request, RESOLVE)
        transfer: InterbankTransfer = self.object_or_404(request, object_id)
        data = request.POST if request.method == "POST" else None
        form = (RetryForm if retry else ReturnForm)(data)

        def perform(form: ServiceForm) -> str:
            if retry:
                self._retry(request, transfer)
            else:
                self._giveback(request, transfer, form.cleaned_data["reason"])
            return change_url(transfer)

        return self.service_form_view(
            request,
            form=form,
            title=(
                "Reintentar transferencia interbancaria"
                if retry
                else "Devolver transferencia interbancaria"
            ),
            submit_label="Reintentar" if retry else "Devolver",
            perform=perform,
            obj=transfer,
            summary=self.summary(transfer),
        )

    def _retry(self, request: HttpRequest, transfer: InterbankTransfer) -> None:
        done = interbank_transfer_retry(transfer=transfer, by=request.user, request=request)
        self.log_change(request, done, f"Reintentada (envío {done.attempts}).")
        self.message_user(
            request,
            f"Transferencia N.º {done.receipt_id} reenviada a la red: {done.get_status_display()}.",
            messages.SUCCESS,
        )

    def _giveback(self, request: HttpRequest, transfer: InterbankTransfer, reason: str) -> None:
        now = timezone.now()
        with transaction.atomic(durable=True):
            done = interbank_transfer_return(
                transfer=transfer, reason=reason, by=request.user, request=request, now=now
            )
        if done.returned_at != now:  # returned before, by the network or a colleague
            self.message_user(
                request,
                f"La transferencia N.º {done.receipt_id} ya estaba devuelta "
                f"({done.return_reason}); no se devolvió otra vez.",
                messages.WARNING,
            )
            return
        self.log_change(request, done, f"Devuelta: {done.return_reason}.")
        self.message_user(
            request,
            f"Transferencia N.º {done.receipt_id} devuelta: {money(done.total)} acreditados "
            f"a la cuenta {done.source.number} (comprobante N.º {done.return_receipt_id}).",
            messages.SUCCESS,
        )


@admin.register(InterbankBatch)
class InterbankBatchAdmin(ProductAdmin):
    list_display = ("reference_display", "created_at", "status", "sent_at", "attempts", "size")
    list_filter = ("status",)
    date_hierarchy = "created_at"
    fields = ("reference_display", "status", "created_at", "sent_at", "attempts", "last_error")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description="Lote", ordering="id")
    def reference_display(self, obj: InterbankBatch) -> str:
        return obj.reference

    @admin.display(description="Órdenes")
    def size(self, obj: InterbankBatch) -> SafeString:
        url = f"{change_url_list(InterbankTransfer)}?batch__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.transfers.count())


def change_url_list(model: type[Model]) -> str:
    from django.urls import reverse

    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


@admin.register(IncomingTransfer)
class IncomingTransferAdmin(ProductAdmin):
    list_display = (
        "network_reference",
        "received_at",
        "account_number",
        "amount_display",
        "originator_name",
        "institution",
        "status",
        "return_reason",
    )
    list_filter = ("status", "institution")
    search_fields = ("=network_reference", "=account_number", "originator_name")
    date_hierarchy = "received_at"
    fields = (
        "network_reference",
        "received_at",
        "status",
        "return_reason",
        "account_number",
        "destination_link",
        "amount_display",
        "originator_name",
        "originator_identification",
        "originator_account",
        "originator_account_type",
        "institution",
        "motive",
        "receipt",
    )

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description="Valor", ordering="amount")
    def amount_display(self, obj: IncomingTransfer) -> str:
        return money(obj.amount)

    @admin.display(description="Cuenta del socio")
    def destination_link(self, obj: IncomingTransfer) -> str:
        return link(obj.destination)
