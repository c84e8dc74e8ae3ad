"""The books in the back office: strictly read-only, for everyone.

Ledger rows are written only by ``enlinea.ledger.services``; a correction is a new
reversing entry, never an edit. So no one, not even a superuser, may add, change or
delete a row here; who may *see* them is the model's view permission (roles).
Balances are shown by the account's normal side (an asset such as cash reads as a
positive amount although the ledger stores it as a debit, i.e. negative).
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, OuterRef, QuerySet, Subquery, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

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
        "code",
        "name",
        "kind",
        "normal_side",
        "balance_display",
        "held_display",
        "available_display",
        "posting_count",
        "is_group",
    )
    list_filter = ("kind", "normal_side", "is_group", "allow_negative")
    search_fields = ("code", "name")
    list_select_related = ("group",)
    show_full_result_count = True
    fields = (
        "code",
        "name",
        "kind",
        "normal_side",
        "allow_negative",
        "is_group",
        "group",
        "balance_display",
        "raw_balance",
        "held_display",
        "available_display",
        "posting_count",
        "shards_link",
        "postings_link",
        "product",
        "created_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[LedgerAccount]:
        shards = (
            LedgerAccount.objects.filter(group=OuterRef("pk"))
            .order_by()
            .values("group")
            .annotate(total=Sum("balance"))
            .values("total")
        )
        return super().get_queryset(request).annotate(shards_total=Subquery(shards))

    @admin.display(description="Saldo")
    def balance_display(self, obj: LedgerAccount) -> str:
        if obj.is_group:
            # A hot account is spread over shards; its balance is theirs together.
            total = getattr(obj, "shards_total", None) or 0
            return f"{format_cents(by_side(obj, total))} (total de subcuentas)"
        return format_cents(by_side(obj, obj.balance))

    @admin.display(description="Saldo con signo del libro (+ crédito, - débito)")
    def raw_balance(self, obj: LedgerAccount) -> str:
        total = (getattr(obj, "shards_total", None) or 0) if obj.is_group else obj.balance
        return format_cents(total)

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
        return format_html('<a href="{}">Ver {} subcuentas</a>', url, obj.shards.count())

    @admin.display(description="Movimientos")
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


class PostingInline(ReadOnlyMixin, admin.TabularInline):
    model = Posting
    fields = ("account", "debit", "credit", "balance_after_display", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Posting]:
        return super().get_queryset(request).select_related("account")

    @admin.display(description="Débito")
    def debit(self, obj: Posting) -> str:
        return format_cents(-obj.amount) if obj.amount < 0 else ""

    @admin.display(description="Crédito")
    def credit(self, obj: Posting) -> str:
        return format_cents(obj.amount) if obj.amount > 0 else ""

    @admin.display(description="Saldo después")
    def balance_after_display(self, obj: Posting) -> str:
        return format_cents(by_side(obj.account, obj.balance_after))


class HoldInline(ReadOnlyMixin, admin.TabularInline):
    model = Hold
    fields = ("account", "amount_display", "status", "reason", "created_at", "resolved_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description="Monto")
    def amount_display(self, obj: Hold) -> str:
        return format_cents(obj.amount)


@admin.register(JournalEntry)
class JournalEntryAdmin(LedgerAdmin):
    list_display = (
        "id",
        "created_at",
        "kind",
        "description",
        "status",
        "amount_display",
        "idempotency_key",
    )
    list_filter = ("status",)
    search_fields = ("idempotency_key", "description", "kind")
    date_hierarchy = "created_at"
    fields = (
        "id",
        "kind",
        "description",
        "status",
        "amount_display",
        "created_at",
        "resolved_at",
        "idempotency_key",
        "reverses",
        "reversed_by",
        "metadata",
        "lines",
        "request_digest",
    )
    readonly_fields = fields
    inlines = (PostingInline, HoldInline)

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

    @admin.display(description="Reversado por")
    def reversed_by(self, obj: JournalEntry) -> str:
        try:
            return entry_link(obj.reversed_by.pk)
        except ObjectDoesNotExist:
            return "—"


@admin.register(Posting)
class PostingAdmin(LedgerAdmin):
    list_display = (
        "id",
        "created_at",
        "entry_display",
        "account_display",
        "debit",
        "credit",
        "balance_after_display",
    )
    list_filter = ("account__kind", GroupFilter)
    search_fields = ("=account__code", "entry__idempotency_key")
    list_select_related = ("entry", "account")
    ordering = ("-id",)
    fields = (
        "id",
        "entry",
        "account",
        "debit",
        "credit",
        "balance_after_display",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description="Asiento", ordering="entry")
    def entry_display(self, obj: Posting) -> str:
        return format_html(
            "{} {}", entry_link(obj.entry_id), obj.entry.description or obj.entry.kind
        )

    @admin.display(description="Cuenta", ordering="account__code")
    def account_display(self, obj: Posting) -> str:
        return link(obj.account, obj.account.code)

    @admin.display(description="Débito")
    def debit(self, obj: Posting) -> str:
        return format_cents(-obj.amount) if obj.amount < 0 else ""

    @admin.display(description="Crédito")
    def credit(self, obj: Posting) -> str:
        return format_cents(obj.amount) if obj.amount > 0 else ""

    @admin.display(description="Saldo después")
    def balance_after_display(self, obj: Posting) -> str:
        return format_cents(by_side(obj.account, obj.balance_after))


@admin.register(Hold)
class HoldAdmin(LedgerAdmin):
    list_display = (
        "id",
        "account_display",
        "amount_display",
        "status",
        "reason",
        "entry_display",
        "idempotency_key",
        "created_at",
        "resolved_at",
    )
    list_filter = ("status",)
    search_fields = ("=account__code", "idempotency_key", "reason")
    list_select_related = ("account",)
    ordering = ("-id",)
    fields = (
        "id",
        "account",
        "amount_display",
        "status",
        "reason",
        "entry",
        "idempotency_key",
        "created_at",
        "resolved_at",
    )
    readonly_fields = fields

    @admin.display(description="Cuenta", ordering="account__code")
    def account_display(self, obj: Hold) -> str:
        return link(obj.account, obj.account.code)

    @admin.display(description="Monto", ordering="amount")
    def amount_display(self, obj: Hold) -> str:
        return format_cents(obj.amount)

    @admin.display(description="Asiento")
    def entry_display(self, obj: Hold) -> str:
        return entry_link(obj.entry_id)
