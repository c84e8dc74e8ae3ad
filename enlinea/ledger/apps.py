from django.apps import AppConfig


class LedgerConfig(AppConfig):
    """The cooperative's books: double-entry accounts, entries, postings and holds."""

    name = "enlinea.ledger"
    verbose_name = "Contabilidad"
