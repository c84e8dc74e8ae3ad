from __future__ import annotations

from django.contrib import admin, messages

from enlinea.ledger.admin import ReadOnlyMixin
from enlinea.notifications.models import MailboxItem, Message
from enlinea.notifications.services import message_retry


@admin.register(Message)
class MessageAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "channel", "kind", "recipient", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "kind")
    search_fields = ("recipient", "subject")
    date_hierarchy = "created_at"
    actions = ["retry"]
    # The body may carry a security code or temporary credentials: staff see the
    # envelope, not the content (codes are never in the subject).
    exclude = ("body", "html_body")

    @admin.action(description="Reintentar los mensajes fallidos seleccionados")
    def retry(self, request, queryset) -> None:
        ids = list(queryset.filter(status=Message.Status.FAILED).values_list("pk", flat=True))
        for pk in ids:
            message_retry(message_id=pk)
        self.message_user(request, f"{len(ids)} mensaje(s) vuelven a la cola.", messages.SUCCESS)


@admin.register(MailboxItem)
class MailboxItemAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "recipient", "subject")

    def has_module_permission(self, request) -> bool:
        return False
