"""Staff roles for the back office, as Django groups with exactly these permissions.

``roles_ensure`` is idempotent: it creates missing groups and sets each group's
permissions to the list below (adding what is missing, removing what is not listed),
so running it after every deploy keeps the roles as written here.

Each back-office operation has a permission of its own: ``block_product`` blocks deposit
accounts, ``block_debitcard`` / ``block_creditcard`` block cards, ``pay_investment`` pays
a póliza at maturity, ``cut_statement`` cuts a credit card's statement, recording a
card purchase needs ``add_cardpurchase``, and ``approve_cash`` approves or rejects cash
at the window above the approval threshold (never one's own); ``staff.unlock_staffaccess``
lifts another staff member's back-office lock (Operaciones, the supervisor).
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

TELLER = "Cajero"
OPERATIONS = "Operaciones"
SUPPORT = "Soporte"

_PRODUCT_MODELS = (
    "depositaccount",
    "loan",
    "loaninstallment",
    "investment",
    "debitcard",
    "creditcard",
    "cardpurchase",
)
_LEDGER_VIEW = tuple(
    f"ledger.view_{model}" for model in ("ledgeraccount", "journalentry", "posting", "hold")
)
_PRODUCTS_VIEW = tuple(f"products.view_{model}" for model in _PRODUCT_MODELS)
_CARDS_BLOCK = ("products.block_debitcard", "products.block_creditcard")
_ACCESS_VIEW = (
    "security.view_auditevent",
    *(f"access.view_{model}" for model in ("loginrecord", "onlineprofile", "device", "consent")),
    "notifications.view_message",
)
_INTERBANK_VIEW = (
    "transfers.view_interbanktransfer",
    "transfers.view_interbankbatch",
    "transfers.view_incomingtransfer",
)
_LIMITS_VIEW = ("limits.view_transferlimit", "limits.view_limitusage")
_COMPLAINTS_VIEW = ("support.view_complaint", "support.view_complaintevent")
# The back office's own change history (django_admin_log), read-only for everyone
# (members.admin.LogEntryAdmin): which staff user changed which record, and when.
_ADMIN_LOG_VIEW = ("admin.view_logentry",)

ROLES: dict[str, tuple[str, ...]] = {
    TELLER: (
        # «Nuevo socio» at the Ventanilla (enlinea/staff/ventanilla.py): the member and
        # their first account in one form, through members.services.member_onboard.
        "members.add_member",
        "members.view_member",
        "products.view_depositaccount",
        "products.cash_deposit",
        "products.cash_withdrawal",
        "products.view_cashoperation",
    ),
    OPERATIONS: (
        "members.add_member",
        "members.change_member",
        "members.view_member",
        *_PRODUCTS_VIEW,
        "products.add_depositaccount",
        "products.block_product",
        "products.disburse_loan",
        "products.add_investment",
        "products.pay_investment",
        "products.add_debitcard",
        "products.add_creditcard",
        "products.cut_statement",
        "products.add_cardpurchase",
        # Cash above the approval threshold waits for a second staff member (never the
        # teller who asked for it): enlinea/products/services.py, cash_operation_approve.
        "products.view_cashoperation",
        "products.approve_cash",
        # The supervisor lifts a colleague's back-office lock (never their own, never a
        # superuser's; audited): enlinea/staff/services.py, staff_unlock. Resetting a
        # second factor stays with superusers (with a known password it hands over the
        # account), as does unlocking a superuser.
        "staff.view_staffaccess",
        "staff.unlock_staffaccess",
        # The Tarifario: commissions and IVA per operation (enlinea/tariff), read by every
        # money service at the moment it charges; each change is in the change history.
        "tariff.view_fee",
        "tariff.add_fee",  # a biller's own commission is a Fee row of its own
        "tariff.change_fee",
        # The billers' catalogue (Pago de servicios): added, edited or deactivated here,
        # never deleted; the payments themselves are read-only.
        "payments.view_billercategory",
        "payments.add_billercategory",
        "payments.change_billercategory",
        "payments.view_biller",
        "payments.add_biller",
        "payments.change_biller",
        "payments.view_billpayment",
        # Diferir consumos: the terms members may choose and the smallest purchase
        # (enlinea/cards); members' deferrals and travel notices are read-only.
        "cards.view_deferralpolicy",
        "cards.change_deferralpolicy",
        "cards.view_deferral",
        "cards.view_travelnotice",
        # Cupos: the cooperative's maximum transfer amounts (enlinea/limits); members'
        # own cupos and their usage are read-only.
        "limits.view_institutionlimit",
        "limits.change_institutionlimit",
        *_LIMITS_VIEW,
        # The catalogue of financial institutions (SPI participants): added, renamed or
        # deactivated here, never deleted; members' beneficiaries are read-only.
        "institutions.view_institution",
        "institutions.add_institution",
        "institutions.change_institution",
        "beneficiaries.view_beneficiary",
        # The interbank queue: stuck transfers with Reintentar / Devolver (audited).
        *_INTERBANK_VIEW,
        "transfers.resolve_interbanktransfer",
        *_CARDS_BLOCK,
        *_LEDGER_VIEW,
        *_ACCESS_VIEW,
        *_ADMIN_LOG_VIEW,
        *_COMPLAINTS_VIEW,
    ),
    SUPPORT: (
        "members.view_member",
        *_PRODUCTS_VIEW,
        *_CARDS_BLOCK,
        *_LEDGER_VIEW,
        *_ACCESS_VIEW,
        "security.view_securitychallenge",
        "limits.view_institutionlimit",
        *_LIMITS_VIEW,
        "institutions.view_institution",
        "beneficiaries.view_beneficiary",
        "payments.view_biller",
        "payments.view_billpayment",
        *_INTERBANK_VIEW,
        *_ADMIN_LOG_VIEW,
        *_COMPLAINTS_VIEW,
        "support.change_complaint",
    ),
}


def _permission(label: str) -> Permission:
    app_label, codename = label.split(".", 1)
    try:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist as exc:
        raise ImproperlyConfigured(
            f"Falta el permiso {label}: ejecuta «manage.py migrate» antes de crear los roles."
        ) from exc


def roles_ensure() -> dict[str, Group]:
    """Create or update the staff groups so each has exactly the permissions in ``ROLES``."""
    groups: dict[str, Group] = {}
    # migrate creates each app's permissions as it reaches that app; make sure every
    # app's exist before the roles refer to them.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    with transaction.atomic():
        for name, labels in ROLES.items():
            permissions = [_permission(label) for label in labels]
            group, _ = Group.objects.get_or_create(name=name)
            group.permissions.set(permissions)
            groups[name] = group
    return groups
