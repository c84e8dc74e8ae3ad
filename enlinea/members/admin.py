from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse

from enlinea.ledger.admin import ReadOnlyMixin
from enlinea.members.models import MSG_DUPLICATE_IDENTIFICATION, Member
from enlinea.members.selectors import member_get_by_identification
from enlinea.members.services import (
    CONTACT_FIELDS,
    member_address_change,
    member_contact_change,
    member_create,
    member_normalizers,
)

# Fixed once the member exists: identity data is corrected by a supervised process,
# not by editing the row; the user is linked by the online-banking access service.
IDENTITY_FIELDS = ("identification_type", "identification", "first_names", "last_names")


class MemberAdminForm(forms.ModelForm):
    """Runs the same normalizers as ``member_create``, so staff see its Spanish
    messages beside each field and the form stores exactly what the service would."""

    # Wider than the stored columns: staff paste "+593 99 123 4567" or "171430710-3".
    identification = forms.CharField(label="Identificación", max_length=40)
    mobile_phone = forms.CharField(
        label="Celular", max_length=30, help_text="10 dígitos, empieza con 09."
    )
    # Only on the change form (MemberAdmin.get_fields): why the e-mail or mobile changes,
    # kept in the CONTACT_CHANGED audit row.
    contact_reason = forms.CharField(
        label="Motivo del cambio de correo o celular",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=(
            "Obligatorio si cambias el correo o el celular, p. ej. «Solicitud del socio en "
            "agencia, cédula verificada». Avisaremos al correo y celular anteriores y, "
            "durante el periodo de enfriamiento, el socio no podrá registrarse, "
            "recuperar su contraseña ni ingresar desde un dispositivo nuevo."
        ),
    )

    class Meta:
        model = Member
        fields = (
            "identification_type",
            "identification",
            "first_names",
            "last_names",
            "birth_date",
            "email",
            "mobile_phone",
            "address",
        )

    def _normalize(self, field: str) -> Any:
        identification_type = self.cleaned_data.get(
            "identification_type", self.instance.identification_type
        )
        normalizer = member_normalizers(identification_type=identification_type)[field]
        return normalizer(self.cleaned_data.get(field))

    def clean_first_names(self) -> str:
        return self._normalize("first_names")

    def clean_last_names(self) -> str:
        return self._normalize("last_names")

    def clean_email(self) -> str:
        return self._normalize("email")

    def clean_mobile_phone(self) -> str:
        return self._normalize("mobile_phone")

    def clean_address(self) -> str:
        return self._normalize("address")

    def contact_changed(self) -> bool:
        """True when the change form's e-mail or mobile differ from the stored ones."""
        if self.instance.pk is None:
            return False
        stored = Member.objects.filter(pk=self.instance.pk).values(*CONTACT_FIELDS).first() or {}
        return any(
            field in self.cleaned_data and self.cleaned_data[field] != stored.get(field)
            for field in CONTACT_FIELDS
        )

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        if self.contact_changed() and not cleaned_data.get("contact_reason", "").strip():
            self.add_error(
                "contact_reason",
                "Escribe el motivo del cambio de correo o celular: queda en la auditoría.",
            )
        # The number is checked against its type, so it is cleaned here rather than in
        # clean_identification (which runs before the type is known to be valid).
        if "identification" in cleaned_data and "identification_type" in cleaned_data:
            try:
                identification = self._normalize("identification")
            except ValidationError as error:
                self.add_error("identification", error)
            else:
                cleaned_data["identification"] = identification
                existing = member_get_by_identification(
                    identification_type=cleaned_data["identification_type"],
                    identification=identification,
                )
                if existing is not None and existing.pk != self.instance.pk:
                    self.add_error("identification", MSG_DUPLICATE_IDENTIFICATION)
        return cleaned_data


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    form = MemberAdminForm
    list_display = ("identification", "full_name", "email", "mobile_phone", "created_at")
    list_filter = ("identification_type",)
    search_fields = ("identification", "first_names", "last_names", "email")
    date_hierarchy = "created_at"
    ordering = ("last_names", "first_names")

    @admin.display(description="Nombre completo", ordering="last_names")
    def full_name(self, obj: Member) -> str:
        return obj.full_name

    def get_fields(self, request: HttpRequest, obj: Member | None = None) -> list:
        fields = list(super().get_fields(request, obj))
        if obj is None:
            return [field for field in fields if field != "contact_reason"]
        # The reason right after the contact fields it explains.
        fields.remove("contact_reason")
        fields.insert(fields.index("mobile_phone") + 1, "contact_reason")
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Member | None = None) -> tuple:
        if obj is None:
            return ("created_at", "user")
        return (*IDENTITY_FIELDS, "birth_date", "created_at", "contact_changed_at", "user")

    def save_model(
        self, request: HttpRequest, obj: Member, form: forms.ModelForm, change: bool
    ) -> None:
        """Writes go through the services, like every other change of state."""
        data = form.cleaned_data
        if change:
            # E-mail and mobile only through member_contact_change: audited with this
            # staff user, the old contact notified, the cooling-off started.
            member_contact_change(
                member=obj,
                email=data.get("email"),
                mobile_phone=data.get("mobile_phone"),
                changed_by=request.user,
                request=request,
                reason=data.get("contact_reason", ""),
            )
            if data.get("address") is not None:
                member_address_change(member=obj, address=data["address"])
            return
        created = member_create(
            identification_type=data["identification_type"],
            identification=data["identification"],
            first_names=data["first_names"],
            last_names=data["last_names"],
            email=data["email"],
            mobile_phone=data["mobile_phone"],
            birth_date=data.get("birth_date"),
            address=data.get("address", ""),
        )
        # The admin goes on with `obj` (log entry, redirect): make it the saved row.
        for field in Member._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False
        obj._state.db = created._state.db

    def has_delete_permission(self, request: HttpRequest, obj: Member | None = None) -> bool:
        # A member's history (accounts, movements, receipts) must stay traceable.
        return False


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The back office's own change history (django_admin_log), read-only for everyone.

    Soporte and Operaciones read it (``admin.view_logentry`` in products.roles) to see
    which staff user changed what; nobody adds, changes or deletes an entry here.
    """

    list_display = ("action_time", "user", "content_type", "object_repr", "action_flag", "what")
    list_filter = ("action_flag", "content_type")
    search_fields = ("object_repr", "object_id", "user__username", "change_message")
    date_hierarchy = "action_time"
    list_select_related = ("user", "content_type")
    show_full_result_count = False
    fields = (
        "action_time",
        "user",
        "content_type",
        "object_id",
        "object_repr",
        "action_flag",
        "what",
    )
    readonly_fields = fields

    @admin.display(description="cambio")
    def what(self, obj: LogEntry) -> str:
        return obj.get_change_message()


_User = get_user_model()
if admin.site.is_registered(_User):
    admin.site.unregister(_User)


@admin.register(_User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin, with a member's online-banking user read-only for everyone.

    A member's password, username, e-mail and flags change only through their own
    flows (Primer ingreso, Perfil, recovery: audited, the member notified); here a
    superuser could otherwise set a member's password silently and, with a contact
    change, log in as them. Staff users are managed here as before.
    """

    @staticmethod
    def _is_member_user(obj: Any) -> bool:
        return obj is not None and Member.objects.filter(user_id=obj.pk).exists()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self._is_member_user(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self._is_member_user(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict:
        # Bulk delete would reach member users past has_delete_permission(obj).
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        if self._is_member_user(self.get_object(request, unquote(id))):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)
