from __future__ import annotations

from collections.abc import Sequence
from email.mime.base import MIMEBase

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend


class MailboxEmailBackend(BaseEmailBackend):
    """Development e-mail: stored in the database and read at /dev/buzon/."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from enlinea.notifications.models import Channel, MailboxItem

        items = []
        for message in email_messages:
            html = ""
            if isinstance(message, EmailMultiAlternatives):
                for content, mimetype in message.alternatives:
                    if mimetype == "text/html":
                        html = content.decode() if isinstance(content, bytes) else str(content)
            body = message.body
            if isinstance(body, MIMEBase):  # pragma: no cover - we never send MIME bodies
                body = body.as_string()
            for recipient in message.recipients():
                items.append(
                    MailboxItem(
                        channel=Channel.EMAIL,
                        recipient=recipient,
                        subject=message.subject,
                        body=body,
                        html_body=html,
                    )
                )
        MailboxItem.objects.bulk_create(items)
        return len(email_messages)
