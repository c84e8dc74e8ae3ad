"""The books in the back office: strictly read-only, for everyone.

Ledger rows are written only by ``enlinea.ledger.services``; a correction is a new
reversing entry, never an edit. So no one, not even a superuser, may add, change or
delete a row here; who may *see* them is the model's view permission (roles).
Balances are shown by the account's normal side (an asset such as cash reads as a
positive amount although the ledger stores it as a debit, i.e. negative).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import display_for_value
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, OuterRef, QuerySet, Subquery, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from enlinea.ledger.models import Hold, JournalEntry, LedgerAccount, NormalSide, Posting
from enlinea.money import format_cents


def by_side(account: LedgerAccount, cents: int) -> int:
    """A signed ledger amount as read on the account's normal side."""
    return cents if account.normal_side == NormalSide.CREDIT else -cents


def link(obj: Model, text: str) -> str:
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text)


def entry_link(entry_id: int | None) -> str:
    if entry_id is None:
        return "—"
    url = reverse("admin:ledger_journalentry_change", args=[entry_id])
    return format_html('<a href="{}">#{}</a>', url, entry_id)


def shown(field: str, label: str, *, boolean: bool = False) -> Callable[[Any, Model], Any]:
    """A model field as a column or detail row under a Spanish label (the ledger's
    fields carry no verbose names). Assign it as a ModelAdmin attribute."""

    @admin.display(description=label, ordering=field, boolean=boolean)
    def show(self: Any, obj: Model) -> Any:
        display = getattr(obj, f"get_{field}_display", None)
        value = display() if display else getattr(obj, field)
        # Detail pages print a callable's value as it is: localize dates and numbers here.
        return value if boolean else display_for_value(value, "-")

    return show


def related(field: str, label: str) -> Callable[[Any, Model], str]:
    """A foreign key as a link to the related object's admin page, under a Spanish label."""

    @admin.display(description=label, ordering=field)
    def show(self: Any, obj: Model) -> str:
        target = getattr(obj, field)
        return "—" if target is None else link(target, str(target))

    return show


def titled(base: type[admin.FieldListFilter], title: str) -> type[admin.FieldListFilter]:
    """A field's list filter under a Spanish title."""

    class Titled(base):  # type: ignore[valid-type, misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


CHOICES = admin.ChoicesFieldListFilter
BOOLEAN = admin.BooleanFieldListFilter


def postings_url(**filters: object) -> str:
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return f"{reverse('admin:ledger_posting_changelist')}?{query}"


class ReadOnlyMixin:
    """No add, change or delete, whatever the user's permissions."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class LedgerAdmin(ReadOnlyMixin, admin.ModelAdmin):
    # Counting every row of a large table on each page is slow; the pager does not need it.
    show_full_result_count = False

    show_created_at = shown("created_at", "Fecha")
    show_status = shown("status", "Estado")
    show_idempotency_key = shown("idempotency_key", "Clave de idempotencia")


class GroupFilter(admin.SimpleListFilter):
    """Postings of a hot account's shards, by the group account (a handful of choices)."""

    title = "cuenta agrupadora"
    parameter_name = "grupo"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [(a.pk, str(a)) for a in LedgerAccount.objects.filter(is_group=True)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() and self.value().isdigit():
            return queryset.filter(account__group_id=int(self.value()))
        return queryset


@admin.register(LedgerAccount)
class LedgerAccountAdmin(LedgerAdmin):
    list_display = (
        "show_code",
        "show_name",
        "show_kind",
        "show_normal_side",
        "balance_display",
        "held_display",
        "available_display",
        "show_posting_count",
        "show_is_group",
    )
    list_filter = (
        ("kind", titled(CHOICES, "tipo")),
        ("normal_side", titled(CHOICES, "naturaleza")),
        ("is_group", titled(BOOLEAN, "agrupadora")),
        ("allow_negative", titled(BOOLEAN, "admite saldo negativo")),
    )
    search_fields = ("code", "name")
    show_full_result_count = True
    fields = (
        "show_code",
        "show_name",
        "show_kind",
        "show_normal_side",
        "show_allow_negative",
        "show_is_group",
        "show_group",
        "balance_display",
        "raw_balance",
        "held_display",
        "available_display",
        "show_posting_count",
        "shards_link",
        "postings_link",
        "product",
        "show_created_at",
    )
    readonly_fields = fields

    show_code = shown("code", "Código")
    show_name = shown("name", "Nombre")
    show_kind = shown("kind", "Tipo")
    show_normal_side = shown("normal_side", "Naturaleza")
    show_allow_negative = shown("allow_negative", "Admite saldo negativo", boolean=True)
    show_is_group = shown("is_group", "Agrupadora", boolean=True)
    show_group = related("group", "Cuenta agrupadora")
    show_posting_count = shown("posting_count", "Movimientos")

    def get_queryset(self, request: HttpRequest) -> QuerySet[LedgerAccount]:
        shards = (
            LedgerAccount.objects.filter(group=OuterRef("pk"))
            .order_by()
            .values("group")
            .annotate(total=Sum("balance"))
            .values("total")
        )
        return (
            super()
            .get_queryset(request)
            .select_related("group")
            .annotate(shards_total=Subquery(shards))
        )

    def _total(self, obj: LedgerAccount) -> int:
        # A hot account is spread over shards; its balance is theirs together.
        if obj.is_group:
            return getattr(obj, "shards_total", None) or 0
        return obj.balance

    @admin.display(description="Saldo")
    def balance_display(self, obj: LedgerAccount) -> str:
        shown_total = format_cents(by_side(obj, self._total(obj)))
        return f"{shown_total} (total de subcuentas)" if obj.is_group else shown_total

    @admin.display(description="Saldo con signo del libro (+ crédito, - débito)")
    def raw_balance(self, obj: LedgerAccount) -> str:
        return format_cents(self._total(obj))

    @admin.display(description="Retenido")
    def held_display(self, obj: LedgerAccount) -> str:
        return format_cents(obj.held) if obj.held else "—"

    @admin.display(description="Disponible")
    def available_display(self, obj: LedgerAccount) -> str:
        # Only accounts that may not go negative (members' money) have an available balance.
        return "—" if obj.allow_negative else format_cents(obj.available)

    @admin.display(description="Subcuentas")
    def shards_link(self, obj: LedgerAccount) -> str:
        if not obj.is_group:
            return "—"
        url = f"{reverse('admin:ledger_ledgeraccount_changelist')}?group__id__exact={obj.pk}"
        return format_html('<a href="{}">Ver las {} subcuentas</a>', url, obj.shards.count())

    @admin.display(description="Movimientos de la cuenta")
    def postings_link(self, obj: LedgerAccount) -> str:
        if obj.is_group:
            url = postings_url(grupo=obj.pk)
        else:
            url = postings_url(account__id__exact=obj.pk)
        return format_html('<a href="{}">Ver movimientos</a>', url)

    @admin.display(description="Producto")
    def product(self, obj: LedgerAccount) -> str:
        for relation in ("deposit_account", "loan", "investment", "credit_card"):
            try:
                product = getattr(obj, relation)
            except ObjectDoesNotExist:
                continue
            return link(product, str(product))
        return "—"


class PostingColumns:
    """How a posting reads: debit and credit columns, balance on the normal side."""

    show_account = related("account", "Cuenta")

    @admin.display(description="Débito")
    def debit(self, obj: Posting) -> str:
        return format_cents(-obj.amount) if obj.amount < 0 else ""

    @admin.display(description="Crédito")
    def credit(self, obj: Posting) -> str:
        return format_cents(obj.amount) if obj.amount > 0 else ""

    @admin.display(description="Saldo después")
    def balance_after_display(self, obj: Posting) -> str:
        return format_cents(by_side(obj.account, obj.balance_after))


class PostingInline(ReadOnlyMixin, PostingColumns, admin.TabularInline):
    model = Posting
    fields = ("show_account", "debit", "credit", "balance_after_display")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "movimientos"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Posting]:
        return super().get_queryset(request).select_related("account")


class HoldColumns:
    show_account = related("account", "Cuenta")
    show_reason = shown("reason", "Motivo")
    show_resolved_at = shown("resolved_at", "Resuelta")

    @admin.display(description="Monto", ordering="amount")
    def amount_display(self, obj: Hold) -> str:
        return format_cents(obj.amount)


class HoldInline(ReadOnlyMixin, HoldColumns, admin.TabularInline):
    model = Hold
    fields = (
        "show_account",
        "amount_display",
        "show_status",
        "show_reason",
        "show_created_at",
        "show_resolved_at",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    show_created_at = shown("created_at", "Fecha")
    show_status = shown("status", "Estado")


@admin.register(JournalEntry)
class JournalEntryAdmin(LedgerAdmin):
    list_display = (
        "id",
        "show_created_at",
        "show_kind",
        "show_description",
        "show_status",
        "amount_display",
        "show_idempotency_key",
    )
    list_filter = (("status", titled(CHOICES, "estado")),)
    search_fields = ("idempotency_key", "description", "kind")
    date_hierarchy = "created_at"
    fields = (
        "id",
        "show_kind",
        "show_description",
        "show_status",
        "amount_display",
        "show_created_at",
        "show_resolved_at",
        "show_idempotency_key",
        "show_reverses",
        "reversed_by",
        "lines_display",
        "show_metadata",
        "show_request_digest",
    )
    readonly_fields = fields
    inlines = (PostingInline, HoldInline)

    show_kind = shown("kind", "Operación")
    show_description = shown("description", "Descripción")
    show_resolved_at = shown("resolved_at", "Resuelto")
    show_reverses = related("reverses", "Reversa a")
    show_request_digest = shown("request_digest", "Huella de la solicitud")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """A number also finds the entry with that id (``#123``)."""
        results, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().lstrip("#")
        if term.isdigit():
            results = results | queryset.filter(pk=int(term))
        return results, duplicates

    @admin.display(description="Monto")
    def amount_display(self, obj: JournalEntry) -> str:
        """What the entry moves: the sum of its credits (equal to its debits)."""
        return format_cents(sum(amount for _, amount in obj.lines if amount > 0))

    @admin.display(description="Líneas solicitadas")
    def lines_display(self, obj: JournalEntry) -> str:
        codes = dict(
            LedgerAccount.objects.filter(pk__in=[a for a, _ in obj.lines]).values_list("pk", "code")
        )
        return format_html_join(
            ", ",
            "{} {}",
            (
                (
                    codes.get(account_id, account_id),
                    f"{'crédito' if amount > 0 else 'débito'} {format_cents(abs(amount))}",
                )
                for account_id, amount in obj.lines
            ),
        )

    @admin.display(description="Datos de la operación")
    def show_metadata(self, obj: JournalEntry) -> str:
        return json.dumps(obj.metadata, ensure_ascii=False)

    @admin.display(description="Reversado por")
    def reversed_by(self, obj: JournalEntry) -> str:
        try:
            return entry_link(obj.reversed_by.pk)
        except ObjectDoesNotExist:
            return "—"


@admin.register(Posting)
class PostingAdmin(PostingColumns, LedgerAdmin):
    list_display = (
        "id",
        "show_created_at",
        "entry_display",
        "account_display",
        "debit",
        "credit",
        "balance_after_display",
    )
    list_filter = (("account__kind", titled(CHOICES, "tipo de cuenta")), GroupFilter)
    search_fields = ("=account__code", "entry__idempotency_key")
    list_select_related = ("entry", "account")
    ordering = ("-id",)
    fields = (
        "id",
        "show_entry",
        "show_account",
        "debit",
        "credit",
        "balance_after_display",
        "show_created_at",
    )
    readonly_fields = fields

    show_entry = related("entry", "Asiento")

    @admin.display(description="Asiento", ordering="entry")
    def entry_display(self, obj: Posting) -> str:
        return format_html(
            "{} {}", entry_link(obj.entry_id), obj.entry.description or obj.entry.kind
        )

    @admin.display(description="Cuenta", ordering="account__code")
    def account_display(self, obj: Posting) -> str:
        return link(obj.account, obj.account.code)


@admin.register(Hold)
class HoldAdmin(HoldColumns, LedgerAdmin):
    list_display = (
        "id",
        "account_display",
        "amount_display",
        "show_status",
        "show_reason",
        "entry_display",
        "show_idempotency_key",
        "show_created_at",
        "show_resolved_at",
    )
    list_filter = (("status", titled(CHOICES, "estado")),)
    search_fields = ("=account__code", "idempotency_key", "reason")
    list_select_related = ("account",)
    ordering = ("-id",)
    fields = (
        "id",
        "show_account",
        "amount_display",
        "show_status",
        "show_reason",
        "entry_display",
        "show_idempotency_key",
        "show_created_at",
        "show_resolved_at",
    )
    readonly_fields = fields

    @admin.display(description="Cuenta", ordering="account__code")
    def account_display(self, obj: Hold) -> str:
        return link(obj.account, obj.account.code)

    @admin.display(description="Asiento")
    def entry_display(self, obj: Hold) -> str:
        return entry_link(obj.entry_id)
