"""Back office for members' products.

Pages here only show rows. Every change is an admin action or a small form that
calls exactly one service in ``enlinea.products.services`` (which moves money only
through ``enlinea.ledger.services.entry_record``): the admin never writes a balance, a
posting, a hold or a status itself, and nothing here can be deleted. Every form that
creates something or moves money carries an idempotency key made when the form is
shown, so a double submit is applied once; a refusal of the service is shown in
Spanish beside its field. Blocking cards, paying pólizas and cutting statements each
need their own permission (see ``roles.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from enlinea.ledger.admin import related
from enlinea.ledger.errors import LedgerError
from enlinea.ledger.models import JournalEntry
from enlinea.money import format_cents
from enlinea.products.forms import (
    AccountOpenForm,
    CardPurchaseForm,
    CashApproveForm,
    CashOperationForm,
    CashRejectForm,
    CreditCardIssueForm,
    DebitCardIssueForm,
    InvestmentOpenForm,
    LoanDisburseForm,
    ServiceForm,
    refusal_message,
)
from enlinea.products.models import (
    AccountStatus,
    CardPurchase,
    CardStatus,
    CashKind,
    CashOperation,
    CashStatus,
    CreditCard,
    DebitCard,
    DepositAccount,
    Investment,
    InvestmentStatus,
    Loan,
    LoanInstallment,
)
from enlinea.products.services import (
    ProductError,
    account_open,
    account_set_status,
    card_purchase_record,
    card_set_status,
    cash_operation_approve,
    cash_operation_reject,
    cash_operation_request,
    credit_card_issue,
    credit_card_statement_cut,
    debit_card_issue,
    investment_open,
    investment_pay,
    loan_disburse,
)

SERVICE_FORM_TEMPLATE = "admin/products/service_form.html"


def money(cents: int | None) -> str:
    return "—" if cents is None else format_cents(cents)


def rate(basis_points: int) -> str:
    return f"{Decimal(basis_points) / 100:.2f} %"


def change_url(obj: Model) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def link(obj: Model | None, text: str | None = None) -> str:
    if obj is None:
        return "—"
    return format_html('<a href="{}">{}</a>', change_url(obj), text or str(obj))


def member_label(obj: Any) -> str:
    member = obj.member
    return f"{member.full_name} ({member.identification})"


class ProductAdmin(admin.ModelAdmin):
    """Read-only pages; changes are actions or service forms. Nothing is deleted."""

    # Detail pages list what they show; every entry is read-only.
    fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple:
        return self.fields

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_block_product_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("products.block_product")

    def key_used(self, form: ServiceForm, operation: str, model: type[Model]) -> bool:
        """Whether this form's key already made a row of ``model`` (a double submit)."""
        return model._default_manager.filter(idempotency_key=form.operation_key(operation)).exists()

    def created(
        self,
        request: HttpRequest,
        obj: Model,
        *,
        replayed: bool,
        log: str,
        done: str,
        again: str,
    ) -> str:
        """Log and announce what a creation form made and return its page's URL. A replay
        made nothing new: it is announced as such and not logged again."""
        if replayed:
            self.message_user(
                request, f"Este formulario ya se había enviado: {again}", messages.WARNING
            )
        else:
            self.log_addition(request, obj, log)
            self.message_user(request, done, messages.SUCCESS)
        return change_url(obj)

    def require(self, request: HttpRequest, permission: str) -> None:
        if not request.user.has_perm(permission):
            raise PermissionDenied

    def object_or_404(self, request: HttpRequest, object_id: str) -> Any:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No existe {self.opts.verbose_name} con ese identificador.")
        return obj

    def service_form_view(
        self,
        request: HttpRequest,
        *,
        form: ServiceForm,
        title: str,
        submit_label: str,
        perform: Callable[[ServiceForm], str],
        obj: Model | None = None,
        summary: Iterable[tuple[str, str]] = (),
    ) -> HttpResponse:
        """Show ``form``; on a valid POST, ``perform`` calls the service and returns the
        URL to go to. A refusal (nothing was written) is shown at the form's field."""
        if request.method == "POST" and form.is_valid():
            try:
                return HttpResponseRedirect(perform(form))
            except (ProductError, LedgerError) as exc:
                form.add_refusal(exc)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": str(obj) if obj is not None else None,
            "opts": self.opts,
            "original": obj,
            "form": form,
            "summary": list(summary),
            "submit_label": submit_label,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, SERVICE_FORM_TEMPLATE, context)

    def object_url(self, name: str, obj: Model) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}", args=[obj.pk])

    def object_view_urls(self, views: Iterable[tuple[str, str, Callable]]) -> list[URLPattern]:
        """URLs ``<id>/<segment>/`` named ``<app>_<model>_<name>``, behind the admin login."""
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                f"<path:object_id>/{segment}/",
                self.admin_site.admin_view(view),
                name=f"{prefix}_{name}",
            )
            for segment, name, view in views
        ]

    def action_links(
        self, request: HttpRequest, links: Iterable[tuple[str, str, str]]
    ) -> Callable[[Model], SafeString] | None:
        """A changelist column with the per-object views this user may open, if any."""
        allowed = [(name, label) for name, label, perm in links if request.user.has_perm(perm)]
        if not allowed:
            return None

        @admin.display(description="Acciones")
        def operations(obj: Model) -> SafeString:
            return format_html_join(
                " · ",
                '<a href="{}">{}</a>',
                ((self.object_url(name, obj), label) for name, label in allowed),
            )

        return operations

    @admin.display(description="Socio", ordering="member__last_names")
    def member_link(self, obj: Any) -> str:
        return link(obj.member, member_label(obj))

    # The products' foreign keys carry no Spanish verbose names of their own.
    show_ledger_account = related("ledger_account", "Cuenta contable")


# ---------------------------------------------------------------- deposit accounts


@admin.register(DepositAccount)
class DepositAccountAdmin(ProductAdmin):
    list_display = (
        "number",
        "kind",
        "member_link",
        "status",
        "signature",
        "ledger_balance_display",
        "available_balance_display",
        "opened_at",
    )
    list_filter = ("kind", "status", "signature")
    search_fields = (
        "=number",
        "=member__identification",
        "member__last_names",
        "member__first_names",
    )
    list_select_related = ("member", "ledger_account")
    date_hierarchy = "opened_at"
    fields = (
        "number",
        "member_link",
        "kind",
        "status",
        "signature",
        "opened_at",
        "show_ledger_account",
        "ledger_balance_display",
        "held_display",
        "available_balance_display",
    )
    actions = ("block", "unblock")

    TELLER_VIEWS = (
        ("deposito", "cash_deposit", "Depositar", "products.cash_deposit"),
        ("retiro", "cash_withdrawal", "Retirar", "products.cash_withdrawal"),
    )

    @admin.display(description="Saldo contable", ordering="ledger_account__balance")
    def ledger_balance_display(self, obj: DepositAccount) -> str:
        return money(obj.ledger_balance)

    @admin.display(description="Saldo disponible")
    def available_balance_display(self, obj: DepositAccount) -> str:
        return money(obj.available_balance)

    @admin.display(description="Retenido")
    def held_display(self, obj: DepositAccount) -> str:
        return money(obj.ledger_account.held)

    def get_list_display(self, request: HttpRequest) -> list:
        columns = list(super().get_list_display(request))
        teller = self.action_links(
            request, ((name, label, perm) for _, name, label, perm in self.TELLER_VIEWS)
        )
        return [*columns, teller] if teller else columns

    def get_urls(self) -> list[URLPattern]:
        views = [
            (segment, name, getattr(self, f"{name}_view"))
            for segment, name, _, _ in self.TELLER_VIEWS
        ]
        return self.object_view_urls(views) + super().get_urls()

    # -- opening

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AccountOpenForm(request.POST or None)

        def perform(form: ServiceForm) -> str:
            data = form.cleaned_data
            replayed = self.key_used(form, "account_open", DepositAccount)
            account = account_open(
                member=data["member"],
                kind=data["kind"],
                signature=data["signature"],
                idempotency_key=form.operation_key("account_open"),
            )
            return self.created(
                request,
                account,
                replayed=replayed,
                log="Apertura de cuenta desde el back office.",
                done=f"Se abrió la {account} para {member_label(account)}.",
                again=f"la {account} ya estaba abierta y no se abrió otra.",
            )

        return self.service_form_view(
            request, form=form, title="Abrir cuenta", submit_label="Abrir cuenta", perform=perform
        )

    # -- cash at the teller's window

    def cash_deposit_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._cash_view(request, object_id, deposit=True)

    def cash_withdrawal_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._cash_view(request, object_id, deposit=False)

    def _cash_view(self, request: HttpRequest, object_id: str, *, deposit: bool) -> HttpResponse:
        operation = "cash_deposit" if deposit else "cash_withdrawal"
        self.require(request, f"products.{operation}")
        account: DepositAccount = self.object_or_404(request, object_id)
        title = "Depósito en efectivo" if deposit else "Retiro en efectivo"
        form = CashOperationForm(request.POST or None)

        def perform(form: ServiceForm) -> str:
            amount = form.cleaned_data["amount"]
            replayed = self.key_used(form, operation, CashOperation)
            cash = cash_operation_request(
                account=account,
                kind=CashKind.DEPOSIT if deposit else CashKind.WITHDRAWAL,
                amount=amount,
                teller=request.user,
                idempotency_key=form.operation_key(operation),
                request=request,
            )
            account.ledger_account.refresh_from_db()
            balance = money(account.ledger_balance)
            pending = cash.status == CashStatus.PENDING
            if replayed:
                done = (
                    "queda pendiente de aprobación"
                    if pending
                    else f"ya estaba registrada (asiento #{cash.entry_id})"
                )
                self.message_user(
                    request,
                    f"Esta operación {done}; no se aplicó otra vez. Saldo contable de la "
                    f"cuenta {account.number}: {balance}.",
                    messages.WARNING,
                )
            elif pending:
                self.log_change(
                    request,
                    account,
                    f"{title} de {money(amount)} pendiente de aprobación (operación #{cash.pk}).",
                )
                self.message_user(
                    request,
                    f"Pendiente de aprobación: {title.lower()} de {money(amount)} en la "
                    f"cuenta {account.number} (operación #{cash.pk}). Supera "
                    f"{money(settings.CASH_APPROVAL_THRESHOLD)}: otra persona autorizada del "
                    "personal debe aprobarlo en «Operaciones en efectivo». No se registra en "
                    "la cuenta hasta la aprobación"
                    f"{'.' if deposit else ': no entregues el efectivo antes.'}",
                    messages.WARNING,
                )
            else:
                self.log_change(
                    request, account, f"{title} de {money(amount)}, asiento #{cash.entry_id}."
                )
                self.message_user(
                    request,
                    f"{title} de {money(amount)} registrado en la cuenta {account.number}. "
                    f"Nuevo saldo contable: {balance}; disponible: "
                    f"{money(account.available_balance)}.",
                    messages.SUCCESS,
                )
            return change_url(account)

        return self.service_form_view(
            request,
            form=form,
            title=title,
            submit_label="Registrar depósito" if deposit else "Registrar retiro",
            perform=perform,
            obj=account,
            summary=self.summary(account),
        )

    def summary(self, account: DepositAccount) -> list[tuple[str, str]]:
        return [
            ("Cuenta", str(account)),
            ("Socio", member_label(account)),
            ("Estado", account.get_status_display()),
            ("Condición de firma", account.get_signature_display()),
            ("Saldo contable", money(account.ledger_balance)),
            ("Saldo disponible", money(account.available_balance)),
        ]

    # -- status

    @admin.action(description="Bloquear las cuentas seleccionadas", permissions=["block_product"])
    def block(self, request: HttpRequest, queryset: QuerySet[DepositAccount]) -> None:
        self._set_status(request, queryset, AccountStatus.BLOCKED, "bloqueó")

    @admin.action(
        description="Desbloquear las cuentas seleccionadas", permissions=["block_product"]
    )
    def unblock(self, request: HttpRequest, queryset: QuerySet[DepositAccount]) -> None:
        # Only a blocked account is unblocked; an inactive one stays as it is.
        self._set_status(
            request,
            queryset.filter(status=AccountStatus.BLOCKED),
            AccountStatus.ACTIVE,
            "desbloqueó",
        )

    def _set_status(
        self, request: HttpRequest, queryset: QuerySet[DepositAccount], status: str, verb: str
    ) -> None:
        changed = []
        for account in queryset.exclude(status=status):
            account_set_status(account=account, status=status)
            self.log_change(request, account, f"Estado: {account.get_status_display()}.")
            changed.append(account.number)
        if changed:
            self.message_user(
                request,
                f"Se {verb} {len(changed)} cuenta(s): {', '.join(changed)}.",
                messages.SUCCESS,
            )
        else:
            self.message_user(request, "Ninguna cuenta cambió de estado.", messages.WARNING)


# ---------------------------------------------------------------- loans


class LoanInstallmentInline(admin.TabularInline):
    model = LoanInstallment
    fields = (
        "number",
        "due_date",
        "payment_display",
        "principal_display",
        "interest_display",
        "balance_after_display",
        "paid_at",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # The schedule is part of the loan: whoever may see the loan sees it.
        return request.user.has_perm("products.view_loan")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description="Valor cuota")
    def payment_display(self, obj: LoanInstallment) -> str:
        return money(obj.payment)

    @admin.display(description="Capital")
    def principal_display(self, obj: LoanInstallment) -> str:
        return money(obj.principal)

    @admin.display(description="Interés")
    def interest_display(self, obj: LoanInstallment) -> str:
        return money(obj.interest)

    @admin.display(description="Saldo")
    def balance_after_display(self, obj: LoanInstallment) -> str:
        return money(obj.balance_after)


@admin.register(Loan)
class LoanAdmin(ProductAdmin):
    list_display = (
        "number",
        "product_name",
        "member_link",
        "principal_display",
        "balance_display",
        "rate_display",
        "term_months",
        "installments_paid",
        "disbursed_on",
        "status",
    )
    list_filter = ("status", "product_name")
    search_fields = ("=number", "=member__identification", "member__last_names")
    list_select_related = ("member", "ledger_account")
    date_hierarchy = "disbursed_on"
    fields = (
        "number",
        "product_name",
        "member_link",
        "show_disbursement_account",
        "show_ledger_account",
        "principal_display",
        "balance_display",
        "rate_display",
        "term_months",
        "installments_paid",
        "disbursed_on",
        "status",
    )
    inlines = (LoanInstallmentInline,)

    show_disbursement_account = related("disbursement_account", "Cuenta de desembolso")

    @admin.display(description="Monto", ordering="principal")
    def principal_display(self, obj: Loan) -> str:
        return money(obj.principal)

    @admin.display(description="Saldo de capital")
    def balance_display(self, obj: Loan) -> str:
        return money(obj.balance)

    @admin.display(description="Tasa anual", ordering="annual_rate_bp")
    def rate_display(self, obj: Loan) -> str:
        return rate(obj.annual_rate_bp)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("products.disburse_loan")

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = LoanDisburseForm(request.POST or None)

        def perform(form: ServiceForm) -> str:
            data = form.cleaned_data
            account = data["account"]
            replayed = self.key_used(form, "loan_disbursement", JournalEntry)
            loan = loan_disburse(
                member=data["member"],
                account=account,
                product_name=data["product_name"],
                principal=data["amount"],
                annual_rate_bp=data["annual_rate_bp"],
                term_months=data["term_months"],
                disbursed_on=data["disbursed_on"],
                idempotency_key=form.operation_key("loan_disbursement"),
            )
            account.ledger_account.refresh_from_db()
            return self.created(
                request,
                loan,
                replayed=replayed,
                log=f"Desembolso de {money(loan.principal)}.",
                done=f"Crédito {loan.number} desembolsado: {money(loan.principal)} acreditados "
                f"en la cuenta {account.number}, cuyo saldo contable es "
                f"{money(account.ledger_balance)}.",
                again=f"el crédito {loan.number} ya estaba desembolsado y no se desembolsó otra "
                "vez.",
            )

        return self.service_form_view(
            request,
            form=form,
            title="Desembolsar crédito",
            submit_label="Desembolsar",
            perform=perform,
        )


# ---------------------------------------------------------------- investments


@admin.register(Investment)
class InvestmentAdmin(ProductAdmin):
    list_display = (
        "number",
        "member_link",
        "capital_display",
        "rate_display",
        "term_days",
        "start_date",
        "maturity_date",
        "interest_display",
        "withholding_display",
        "status",
    )
    list_filter = ("status",)
    search_fields = ("=number", "=member__identification", "member__last_names")
    list_select_related = ("member",)
    date_hierarchy = "maturity_date"
    fields = (
        "number",
        "member_link",
        "show_source_account",
        "show_ledger_account",
        "capital_display",
        "rate_display",
        "term_days",
        "start_date",
        "maturity_date",
        "interest_display",
        "withholding_display",
        "status",
    )
    actions = ("pay_at_maturity",)

    show_source_account = related("source_account", "Cuenta de origen")

    @admin.display(description="Capital", ordering="capital")
    def capital_display(self, obj: Investment) -> str:
        return money(obj.capital)

    @admin.display(description="Tasa anual", ordering="annual_rate_bp")
    def rate_display(self, obj: Investment) -> str:
        return rate(obj.annual_rate_bp)

    @admin.display(description="Interés")
    def interest_display(self, obj: Investment) -> str:
        return money(obj.interest)

    @admin.display(description="Retención")
    def withholding_display(self, obj: Investment) -> str:
        return money(obj.withholding)

    def has_pay_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("products.pay_investment")

    @admin.action(description="Pagar al vencimiento", permissions=["pay"])
    def pay_at_maturity(self, request: HttpRequest, queryset: QuerySet[Investment]) -> None:
        for investment in queryset.select_related("source_account"):
            if investment.status == InvestmentStatus.PAID:
                self.message_user(
                    request, f"La póliza {investment.number} ya estaba pagada.", messages.WARNING
                )
                continue
            try:
                investment_pay(
                    investment=investment,
                    idempotency_key=f"backoffice:investment_payment:{investment.pk}",
                )
            except (ProductError, LedgerError) as exc:
                self.message_user(
                    request, f"Póliza {investment.number}: {refusal_message(exc)}", messages.ERROR
                )
                continue
            net = investment.capital + investment.interest - investment.withholding
            self.log_change(request, investment, f"Pago al vencimiento de {money(net)}.")
            self.message_user(
                request,
                f"Póliza {investment.number} pagada: {money(net)} acreditados en la cuenta "
                f"{investment.source_account.number}.",
                messages.SUCCESS,
            )

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InvestmentOpenForm(request.POST or None)

        def perform(form: ServiceForm) -> str:
            data = form.cleaned_data
            replayed = self.key_used(form, "investment_open", JournalEntry)
            investment = investment_open(
                member=data["member"],
                source_account=data["source_account"],
                capital=data["capital"],
                annual_rate_bp=data["annual_rate_bp"],
                term_days=data["term_days"],
                start_date=data["start_date"],
                idempotency_key=form.operation_key("investment_open"),
            )
            return self.created(
                request,
                investment,
                replayed=replayed,
                log=f"Apertura por {money(investment.capital)}.",
                done=f"Póliza {investment.number} abierta por {money(investment.capital)}; vence "
                f"el {investment.maturity_date:%d/%m/%Y} con un interés de "
                f"{money(investment.interest)}.",
                again=f"la póliza {investment.number} ya estaba abierta y no se abrió otra.",
            )

        return self.service_form_view(
            request,
            form=form,
            title="Abrir inversión",
            submit_label="Abrir póliza",
            perform=perform,
        )


# ---------------------------------------------------------------- cards


class CardAdmin(ProductAdmin):
    """Cards show only the masked number (first 6, last 4); the PIN hash never."""

    search_fields = ("=last4", "=member__identification", "member__last_names", "holder_name")
    list_filter = ("status", "card_type")
    list_select_related = ("member",)
    actions = ("block", "unblock")

    @admin.display(description="Número")
    def masked(self, obj: DebitCard | CreditCard) -> str:
        return obj.masked_number

    @admin.display(description="PIN asignado", boolean=True)
    def pin_assigned(self, obj: DebitCard | CreditCard) -> bool:
        return bool(obj.pin_hash)

    def get_list_display(self, request: HttpRequest) -> list:
        columns = list(super().get_list_display(request))
        purchase = self.action_links(
            request, [("purchase", "Registrar consumo", "products.add_cardpurchase")]
        )
        return [*columns, purchase] if purchase else columns

    def get_urls(self) -> list[URLPattern]:
        return self.object_view_urls([("consumo", "purchase", self.purchase_view)]) + (
            super().get_urls()
        )

    def has_block_card_permission(self, request: HttpRequest) -> bool:
        # Each card model has its own: products.block_debitcard, products.block_creditcard.
        return request.user.has_perm(f"products.block_{self.opts.model_name}")

    @admin.action(description="Bloquear las tarjetas seleccionadas", permissions=["block_card"])
    def block(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_status(request, queryset, CardStatus.BLOCKED, "bloqueó")

    @admin.action(description="Desbloquear las tarjetas seleccionadas", permissions=["block_card"])
    def unblock(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_status(
            request, queryset.filter(status=CardStatus.BLOCKED), CardStatus.ACTIVE, "desbloqueó"
        )

    def _set_status(self, request: HttpRequest, queryset: QuerySet, status: str, verb: str) -> None:
        changed = []
        for card in queryset.exclude(status=status):
            card_set_status(card=card, status=status)
            self.log_change(request, card, f"Estado: {card.get_status_display()}.")
            changed.append(card.masked_number)
        if changed:
            self.message_user(
                request,
                f"Se {verb} {len(changed)} tarjeta(s): {', '.join(changed)}.",
                messages.SUCCESS,
            )
        else:
            self.message_user(request, "Ninguna tarjeta cambió de estado.", messages.WARNING)

    def card_summary(self, card: Any) -> list[tuple[str, str]]:
        return [
            ("Tarjeta", str(card)),
            ("Socio", member_label(card)),
            ("Estado", card.get_status_display()),
        ]

    def after_purchase(self, card: Any) -> str:
        raise NotImplementedError

    def purchase_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        self.require(request, "products.add_cardpurchase")
        card = self.object_or_404(request, object_id)
        credit = isinstance(card, CreditCard)
        form = CardPurchaseForm(request.POST or None, credit=credit)

        def perform(form: ServiceForm) -> str:
            data = form.cleaned_data
            purchase = card_purchase_record(
                card=card,
                amount=data["amount"],
                merchant=data["merchant"],
                installments=data.get("installments", 1),
                idempotency_key=form.operation_key("card_purchase"),
            )
            self.log_change(
                request,
                card,
                f"Consumo de {money(purchase.amount)} en {purchase.merchant} "
                f"(autorización {purchase.authorization}).",
            )
            self.message_user(
                request,
                f"Consumo de {money(purchase.amount)} en {purchase.merchant} registrado con la "
                f"autorización {purchase.authorization}. {self.after_purchase(card)}",
                messages.SUCCESS,
            )
            return change_url(card)

        return self.service_form_view(
            request,
            form=form,
            title="Registrar consumo",
            submit_label="Registrar consumo",
            perform=perform,
            obj=card,
            summary=self.card_summary(card),
        )


@admin.register(DebitCard)
class DebitCardAdmin(CardAdmin):
    list_display = ("masked", "card_type", "member_link", "show_account", "status", "expires")
    list_select_related = ("member", "account")
    fields = (
        "masked",
        "card_type",
        "holder_name",
        "member_link",
        "show_account",
        "status",
        "expires",
        "issued_at",
        "pin_assigned",
    )

    show_account = related("account", "Cuenta")

    def card_summary(self, card: DebitCard) -> list[tuple[str, str]]:
        return [
            *super().card_summary(card),
            ("Cuenta", str(card.account)),
            ("Saldo disponible", money(card.account.available_balance)),
        ]

    def after_purchase(self, card: DebitCard) -> str:
        card.account.ledger_account.refresh_from_db()
        return f"Saldo disponible de la cuenta: {money(card.account.available_balance)}."

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DebitCardIssueForm(request.POST or None)

        def perform(form: ServiceForm) -> str:
            data = form.cleaned_data
            replayed = self.key_used(form, "debit_card_issue", DebitCard)
            card = debit_card_issue(
                account=data["account"],
                card_type=data["card_type"],
                idempotency_key=form.operation_key("debit_card_issue"),
            )
            return self.created(
                request,
                card,
                replayed=replayed,
                log="Emisión de tarjeta de débito.",
                done=f"Tarjeta {card.masked_number} emitida sobre la cuenta {card.account.number}.",
                again=f"la tarjeta {card.masked_number} ya estaba emitida y no se emitió otra.",
            )

        return self.service_form_view(
            request,
            form=form,
            title="Emitir tarjeta de débito",
            submit_label="Emitir tarjeta",
            perform=perform,
        )


@admin.register(CreditCard)
class CreditCardAdmin(CardAdmin):
    list_display = (
        "masked",
        "card_type",
        "member_link",
        "status",
        "limit_display",
        "debt_display",
        "available_display",
        "last_statement_date",
        "payment_due_date",
    )
    list_select_related = ("member", "ledger_account")
    fields = (
        "masked",
        "card_type",
        "holder_name",
        "member_link",
        "status",
        "expires",
        "issued_at",
        "pin_assigned",
        "show_ledger_account",
        "limit_display",
        "debt_display",
        "deferred_display",
        "available_display",
        "statement_day",
        "last_statement_date",
        "payment_due_date",
        "statement_balance_display",
        "minimum_payment_display",
    )
    actions = ("block", "unblock", "statement_cut")

    @admin.display(description="Cupo", ordering="credit_limit")
    def limit_display(self, obj: CreditCard) -> str:
        return money(obj.credit_limit)

    @admin.display(description="Deuda total")
    def debt_display(self, obj: CreditCard) -> str:
        return money(obj.total_debt)

    @admin.display(description="Saldo diferido")
    def deferred_display(self, obj: CreditCard) -> str:
        return money(obj.deferred_balance)

    @admin.display(description="Cupo disponible")
    def available_display(self, obj: CreditCard) -> str:
        return money(obj.available_credit)

    @admin.display(description="Saldo al corte")
    def statement_balance_display(self, obj: CreditCard) -> str:
        return money(obj.statement_balance)

    @admin.display(description="Pago mínimo")
    def minimum_payment_display(self, obj: CreditCard) -> str:
        return money(obj.minimum_payment)

    def card_summary(self, card: CreditCard) -> list[tuple[str, str]]:
        return [
            *super().card_summary(card),
            ("Cupo", money(card.credit_limit)),
            ("Cupo disponible", money(card.available_credit)),
        ]

    def after_purchase(self, card: CreditCard) -> str:
        card.ledger_account.refresh_from_db()
        return f"Cupo disponible: {money(card.available_credit)}."

    def has_statement_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("products.cut_statement")

    @admin.action(description="Corte de estado de cuenta", permissions=["statement"])
    def statement_cut(self, request: HttpRequest, queryset: QuerySet[CreditCard]) -> None:
        today = timezone.localdate()
        for card in queryset:
            if card.last_statement_date == today:
                self.message_user(
                    request,
                    f"La tarjeta {card.masked_number} ya tenía corte al {today:%d/%m/%Y}; no se "
                    "facturó otra vez.",
                    messages.WARNING,
                )
                continue
            try:
                card = credit_card_statement_cut(card=card, cut_date=today)
            except ProductError as exc:
                self.message_user(request, refusal_message(exc), messages.ERROR)
                continue
            self.log_change(request, card, f"Corte de estado de cuenta al {today:%d/%m/%Y}.")
            self.message_user(
                request,
                f"Corte de {card.masked_number} al {today:%d/%m/%Y}: saldo al corte "
                f"{money(card.statement_balance)}, pago mínimo {money(card.minimum_payment)}, "
                f"fecha máxima de pago {card.payment_due_date:%d/%m/%Y}.",
                messages.SUCCESS,
            )

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CreditCardIssueForm(request.POST or None)

        def perform(form: ServiceForm) -> str:
            data = form.cleaned_data
            replayed = self.key_used(form, "credit_card_issue", CreditCard)
            card = credit_card_issue(
                member=data["member"],
                credit_limit=data["credit_limit"],
                card_type=data["card_type"],
                statement_day=data["statement_day"],
                idempotency_key=form.operation_key("credit_card_issue"),
            )
            return self.created(
                request,
                card,
                replayed=replayed,
                log="Emisión de tarjeta de crédito.",
                done=f"Tarjeta {card.masked_number} emitida con un cupo de "
                f"{money(card.credit_limit)}.",
                again=f"la tarjeta {card.masked_number} ya estaba emitida y no se emitió otra.",
            )

        return self.service_form_view(
            request,
            form=form,
            title="Emitir tarjeta de crédito",
            submit_label="Emitir tarjeta",
            perform=perform,
        )


@admin.register(CardPurchase)
class CardPurchaseAdmin(ProductAdmin):
    list_display = (
        "occurred_at",
        "card",
        "member_link",
        "merchant",
        "amount_display",
        "installments",
        "installments_billed",
        "authorization",
        "entry_link",
    )
    search_fields = ("merchant", "=authorization", "=credit_card__last4", "=debit_card__last4")
    list_select_related = ("credit_card__member", "debit_card__member")
    date_hierarchy = "occurred_at"
    fields = (
        "occurred_at",
        "card",
        "member_link",
        "merchant",
        "amount_display",
        "installments",
        "installments_billed",
        "authorization",
        "entry_link",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A purchase is recorded from its card's page, through the card processor.
        return False

    @admin.display(description="Tarjeta")
    def card(self, obj: CardPurchase) -> str:
        card = obj.credit_card or obj.debit_card
        return link(card, card.masked_number)

    @admin.display(description="Socio")
    def member_link(self, obj: CardPurchase) -> str:
        card = obj.credit_card or obj.debit_card
        return link(card.member, member_label(card))

    @admin.display(description="Monto", ordering="amount")
    def amount_display(self, obj: CardPurchase) -> str:
        return money(obj.amount)

    @admin.display(description="Asiento", ordering="entry")
    def entry_link(self, obj: CardPurchase) -> str:
        return format_html(
            '<a href="{}">#{}</a>',
            reverse("admin:ledger_journalentry_change", args=[obj.entry_id]),
            obj.entry_id,
        )


# ---------------------------------------------------------------- cash approvals


@admin.register(CashOperation)
class CashOperationAdmin(ProductAdmin):
    """Cash at the window. Operations above ``CASH_APPROVAL_THRESHOLD`` wait here until a
    staff member with ``products.approve_cash`` other than the teller approves them (the
    deposit or withdrawal is posted then, once) or rejects them (nothing is posted)."""

    list_display = (
        "requested_at",
        "kind",
        "account_link",
        "member_link",
        "amount_display",
        "teller",
        "status",
        "approver",
        "decided_at",
    )
    list_filter = ("status", "kind", "business_day")
    search_fields = ("=account__number", "=account__member__identification", "teller__username")
    list_select_related = ("account__member", "teller", "approver")
    date_hierarchy = "requested_at"
    fields = (
        "kind",
        "account_link",
        "member_link",
        "amount_display",
        "teller",
        "requested_at",
        "status",
        "approver",
        "decided_at",
        "reason",
        "entry_link",
    )
    actions = ("approve", "reject")

    DECISION_VIEWS = (
        ("aprobar", "approve", "Aprobar", "products.approve_cash"),
        ("rechazar", "reject", "Rechazar", "products.approve_cash"),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Asked for from the account's Depositar / Retirar pages.
        return False

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("products.approve_cash")

    @admin.display(description="Cuenta", ordering="account__number")
    def account_link(self, obj: CashOperation) -> str:
        return link(obj.account)

    @admin.display(description="Socio", ordering="account__member__last_names")
    def member_link(self, obj: CashOperation) -> str:
        return link(obj.account.member, member_label(obj.account))

    @admin.display(description="Monto", ordering="amount")
    def amount_display(self, obj: CashOperation) -> str:
        return money(obj.amount)

    @admin.display(description="Asiento")
    def entry_link(self, obj: CashOperation) -> str:
        if obj.entry_id is None:
            return "—"
        return format_html(
            '<a href="{}">#{}</a>',
            reverse("admin:ledger_journalentry_change", args=[obj.entry_id]),
            obj.entry_id,
        )

    def get_list_display(self, request: HttpRequest) -> list:
        columns = list(super().get_list_display(request))
        decide = self.action_links(
            request, ((name, label, perm) for _, name, label, perm in self.DECISION_VIEWS)
        )
        if decide is None:
            return columns

        @admin.display(description="Decisión")
        def decision(obj: CashOperation) -> SafeString | str:
            return decide(obj) if obj.status == CashStatus.PENDING else "—"

        return [*columns, decision]

    def get_urls(self) -> list[URLPattern]:
        views = [
            (segment, name, getattr(self, f"{name}_view"))
            for segment, name, _, _ in self.DECISION_VIEWS
        ]
        return self.object_view_urls(views) + super().get_urls()

    def summary(self, operation: CashOperation) -> list[tuple[str, str]]:
        account = operation.account
        return [
            ("Operación", f"{operation.get_kind_display()} en efectivo"),
            ("Cuenta", str(account)),
            ("Socio", member_label(account)),
            ("Monto", money(operation.amount)),
            ("Cajero", operation.teller.get_username()),
            ("Registrada", timezone.localtime(operation.requested_at).strftime("%d/%m/%Y %H:%M")),
            ("Estado", operation.get_status_display()),
            ("Saldo disponible", money(account.available_balance)),
        ]

    def approve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._decision_view(request, object_id, approve=True)

    def reject_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._decision_view(request, object_id, approve=False)

    def _decision_view(
        self, request: HttpRequest, object_id: str, *, approve: bool
    ) -> HttpResponse:
        self.require(request, "products.approve_cash")
        operation: CashOperation = self.object_or_404(request, object_id)
        # Approving sends no fields: an empty POST is still a submitted form.
        data = request.POST if request.method == "POST" else None
        form = (CashApproveForm if approve else CashRejectForm)(data)

        def perform(form: ServiceForm) -> str:
            if approve:
                self._approve(request, operation)
            else:
                self._reject(request, operation, form.cleaned_data.get("reason", ""))
            return change_url(operation)

        return self.service_form_view(
            request,
            form=form,
            title="Aprobar operación en efectivo" if approve else "Rechazar operación en efectivo",
            submit_label="Aprobar" if approve else "Rechazar",
            perform=perform,
            obj=operation,
            summary=self.summary(operation),
        )

    def _approve(self, request: HttpRequest, operation: CashOperation) -> None:
        already = operation.status == CashStatus.APPROVED
        done = cash_operation_approve(operation=operation, approver=request.user, request=request)
        text = (
            f"{done.get_kind_display()} de {money(done.amount)} en la cuenta {done.account.number}"
        )
        if already:
            self.message_user(
                request, f"{text} ya estaba aprobado; no se registró otra vez.", messages.WARNING
            )
            return
        self.log_change(request, done, f"Aprobada; asiento #{done.entry_id}.")
        self.message_user(
            request, f"{text} aprobado y registrado (asiento #{done.entry_id}).", messages.SUCCESS
        )

    def _reject(self, request: HttpRequest, operation: CashOperation, reason: str) -> None:
        done = cash_operation_reject(
            operation=operation, approver=request.user, reason=reason, request=request
        )
        self.log_change(request, done, f"Rechazada. {reason}".strip())
        self.message_user(
            request,
            f"{done.get_kind_display()} de {money(done.amount)} en la cuenta "
            f"{done.account.number} rechazado: no se registró nada en la cuenta.",
            messages.SUCCESS,
        )

    @admin.action(description="Aprobar las operaciones seleccionadas", permissions=["approve"])
    def approve(self, request: HttpRequest, queryset: QuerySet[CashOperation]) -> None:
        pending = list(queryset.filter(status=CashStatus.PENDING))
        if not pending:
            self.message_user(
                request,
                "Ninguna de las operaciones seleccionadas está pendiente.",
                messages.WARNING,
            )
        for operation in pending:
            try:
                self._approve(request, operation)
            except (ProductError, LedgerError) as exc:
                self.message_user(
                    request, f"Operación #{operation.pk}: {refusal_message(exc)}", messages.ERROR
                )

    @admin.action(description="Rechazar las operaciones seleccionadas", permissions=["approve"])
    def reject(self, request: HttpRequest, queryset: QuerySet[CashOperation]) -> None:
        pending = list(queryset.filter(status=CashStatus.PENDING))
        if not pending:
            self.message_user(
                request,
                "Ninguna de las operaciones seleccionadas está pendiente.",
                messages.WARNING,
            )
        for operation in pending:
            try:
                self._reject(request, operation, "")
            except (ProductError, LedgerError) as exc:
                self.message_user(
                    request, f"Operación #{operation.pk}: {refusal_message(exc)}", messages.ERROR
                )
