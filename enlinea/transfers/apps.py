from __future__ import annotations

from django.apps import AppConfig


class TransfersConfig(AppConfig):
    """Transferencias: money between accounts, here and at other institutions."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "enlinea.transfers"
    verbose_name = "Transferencias"

    def ready(self) -> None:
        # Registers the audit kinds this app writes, so the back office labels them.
        from enlinea.receipts.models import ReceiptKind
        from enlinea.receipts.selectors import receipt_status_register

        from . import clearing  # noqa: F401
        from .selectors import interbank_status_for_receipt

        # An interbank transfer's comprobante says whether it is in process, settled or
        # returned (and by which comprobante its money came back).
        receipt_status_register(ReceiptKind.TRANSFER_INTERBANK, interbank_status_for_receipt)
