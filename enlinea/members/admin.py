from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from enlinea.members.models import MSG_DUPLICATE_IDENTIFICATION, Member
from enlinea.members.selectors import member_get_by_identification
from enlinea.members.services import member_create, member_normalizers, member_update_contact

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

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
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

    def get_readonly_fields(self, request: HttpRequest, obj: Member | None = None) -> tuple:
        if obj is None:
            return ("created_at", "user")
        return (*IDENTITY_FIELDS, "birth_date", "created_at", "user")

    def save_model(
        self, request: HttpRequest, obj: Member, form: forms.ModelForm, change: bool
    ) -> None:
        """Writes go through the services, like every other change of state."""
        data = form.cleaned_data
        if change:
            member_update_contact(
                member=obj,
                email=data.get("email"),
                mobile_phone=data.get("mobile_phone"),
                address=data.get("address"),
            )
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
