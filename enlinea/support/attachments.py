"""Files members attach to a complaint: checked by content, kept off every public URL.

The type is read from the file's first bytes with ``filetype`` (magic numbers), never
from its name or the browser's Content-Type, so a renamed program or text file is
refused. Files are stored under ``MEDIA_ROOT/quejas/`` with a random name; nothing in
the project serves ``MEDIA_ROOT``, and staff download them only through the back
office (``admin.py``), which checks permission and sends them as attachments.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

# Detected MIME type -> extension of the stored file.
ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
MSG_TYPE = "El archivo debe ser PDF, JPG o PNG."
MSG_SIZE = "El archivo supera el máximo de {mb} MB."
MSG_EMPTY = "El archivo está vacío. Elige otro archivo."
_SNIFF_BYTES = 8192


def max_megabytes() -> int:
    return int(settings.SUPPORT_MAX_ATTACHMENT_MB)


@dataclass(frozen=True)
class CheckedAttachment:
    file: File
    content_type: str
    extension: str
    size: int
    original_name: str


def attachment_storage() -> FileSystemStorage:
    """The private folder; built on each call so tests can point MEDIA_ROOT elsewhere."""
    return FileSystemStorage(
        location=Path(settings.MEDIA_ROOT) / "quejas",
        base_url=None,
        file_permissions_mode=0o600,
        directory_permissions_mode=0o700,
    )


def _display_name(name: str) -> str:
    """The member's file name as text to show: no folders, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return cleaned[:255] or "archivo"


def attachment_check(file: File) -> CheckedAttachment:
    """Refuse anything that is not a PDF, JPG or PNG by content, or that is too big.

    Raises ``ValidationError`` with the Spanish message for the field.
    """
    limit_mb = max_megabytes()
    size = file.size or 0
    if size == 0:
        raise ValidationError(MSG_EMPTY, code="empty")
    if size > limit_mb * 1024 * 1024:
        raise ValidationError(MSG_SIZE.format(mb=limit_mb), code="too_big")
    file.seek(0)
    head = file.read(_SNIFF_BYTES)
    file.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError(MSG_TYPE, code="type")
    return CheckedAttachment(
        file=file,
        content_type=kind.mime,
        extension=ALLOWED_TYPES[kind.mime],
        size=size,
        original_name=_display_name(file.name or ""),
    )


def attachment_store(checked: CheckedAttachment) -> str:
    """Write the file under a random name; returns the name to keep on the complaint."""
    now = timezone.localtime()
    name = f"{now:%Y/%m}/{secrets.token_hex(16)}.{checked.extension}"
    checked.file.seek(0)
    return attachment_storage().save(name, checked.file)


def attachment_delete(name: str) -> None:
    if name:
        attachment_storage().delete(name)


def attachment_path(name: str) -> Path:
    """Absolute path of a stored attachment (raises SuspiciousFileOperation outside it)."""
    return Path(attachment_storage().path(name))
