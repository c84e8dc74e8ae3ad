"""A real SMTP server on localhost for tests (aiosmtpd), keeping what it receives."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, inbox: LocalSMTPServer) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.inbox.lock:
            self.inbox.messages.append(message)
        return "250 Message accepted for delivery"


class LocalSMTPServer:
    """Start with ``start()``; read ``messages``; ``wait_for(to=...)`` polls for a message."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        # aiosmtpd 1.4 cannot listen on port 0 (it connects to the port it was given to
        # check the server is up), so take a free port from the system first.
        with socket.socket() as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
        self._controller = Controller(_Handler(self), hostname=host, port=port)

    @property
    def port(self) -> int:
        return self._controller.port

    def start(self) -> LocalSMTPServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def wait_for(
        self, *, to: str | None = None, subject: str | None = None, timeout: float = 10.0
    ) -> EmailMessage:
        """The newest message to ``to`` (whose subject contains ``subject``, if given)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for message in reversed(self.messages):
                    if (to is None or to in str(message["To"])) and (
                        subject is None or subject in str(message["Subject"])
                    ):
                        return message
            time.sleep(0.05)
        raise AssertionError(
            f"No e-mail to {to!r} with {subject!r} in its subject arrived within {timeout} s"
        )

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""

    def code_in(self, message: EmailMessage) -> str:
        """The first 6-digit security code in a message."""
        found = re.search(r"\b(\d{6})\b", self.body(message))
        if not found:
            raise AssertionError("The e-mail has no 6-digit code")
        return found.group(1)
