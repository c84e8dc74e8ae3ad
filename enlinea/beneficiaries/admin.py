"""Members' beneficiaries in the back office: read-only, for support and fraud review.

Who saved which destination and when (and when it was removed) is what staff need
when a member reports a transfer they did not make; nobody adds or changes a
beneficiary here (only the member does, with a security code). Cards show their last
four digits only; the digest is never shown.
"""

from __future__ import annotations

from django.contrib import admin

from enlinea.ledger.admin import ReadOnlyMixin

from .models import Beneficiary


@admin.register(Beneficiary)
class BeneficiaryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "member",
        "kind",
        "name",
        "institution",
        "account_number",
        "card_last4",
        "alias",
        "created_at",
        "deleted_at",
    )
    list_filter = ("kind", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = (
        "member__identification",
        "member__last_names",
        "name",
        "alias",
        "account_number",
        "institution__name",
    )
    list_select_related = ("member", "institution")
    show_full_result_count = False
    fields = (
        "member",
        "kind",
        "institution",
        "internal_account",
        "account_type",
        "account_number",
        "card_last4",
        "name",
        "identification_type",
        "identification",
        "email",
        "alias",
        "created_at",
        "updated_at",
        "deleted_at",
    )
    readonly_fields = fields
