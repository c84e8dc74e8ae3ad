from __future__ import annotations

from django.db.models import QuerySet

from enlinea.notifications.models import MailboxItem


def mailbox_items(*, recipient: str = "") -> QuerySet[MailboxItem]:
    items = MailboxItem.objects.all()
    if recipient:
        items = items.filter(recipient__icontains=recipient.strip())
    return items.order_by("-created_at", "-id")
