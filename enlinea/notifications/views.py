from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from enlinea.notifications.models import MailboxItem
from enlinea.notifications.selectors import mailbox_items


def _dev_only() -> None:
    """The mailbox shows every code and temporary password sent: only in development
    or a demo, and never behind HTTPS (a public deployment), even if the start-up
    refusal of DEMO_MODE with HTTPS (access.E003) was somehow bypassed."""
    if not (settings.DEBUG or settings.DEMO_MODE) or settings.HTTPS:
        raise Http404


@never_cache
def mailbox(request: HttpRequest) -> HttpResponse:
    """The development mailbox: every e-mail and simulated SMS, newest first."""
    _dev_only()
    recipient = request.GET.get("para", "")[:254]
    page = Paginator(mailbox_items(recipient=recipient), 25).get_page(request.GET.get("pagina"))
    return render(request, "notifications/mailbox.html", {"page": page, "recipient": recipient})


@never_cache
def mailbox_item(request: HttpRequest, pk: int) -> HttpResponse:
    _dev_only()
    item = get_object_or_404(MailboxItem, pk=pk)
    return render(request, "notifications/mailbox_item.html", {"item": item})
