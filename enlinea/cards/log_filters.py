"""Keeps Generar PIN's one-time link out of the logs.

The e-mailed link ``/tarjetas/pin/<token>/`` is requested once; the server's access log
(``django.server``) and Django's request log (``django.request``) would write its path.
``PinLinkFilter`` masks the token in every record of those loggers before any handler
sees it (installed by ``CardsConfig.ready``). A front proxy's own access log is outside
the application: docs/security.md says to mask the same path there.
"""

from __future__ import annotations

import logging
import re

_LINK = re.compile(r"(/tarjetas/pin/)[^/\s\"'?]+")
LOGGERS = ("django.server", "django.request", "django.security")


def mask(text: str) -> str:
    return _LINK.sub(r"\1…", text)


class PinLinkFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:  # the formatted text, masked; no arguments left to format
            record.msg, record.args = masked, ()
        return True


def install() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, PinLinkFilter) for f in logger.filters):
            logger.addFilter(PinLinkFilter())
