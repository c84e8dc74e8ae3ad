"""An operation kind for the flow's own tests, built on a real change (the security
image, through ``credentials.image_set``), with a "Confirmar" page of its own."""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from enlinea.access import credentials
from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.registry import OperationKind, url
from enlinea.products.services import ProductError

KIND = "test_image_change"
MSG_REFUSED = "Esa imagen ya no está disponible: elige otra."


def _execute(operation: PendingOperation, request: HttpRequest | None) -> dict[str, Any]:
    content = operation.content
    # The change is written first, so a refusal after it proves the savepoint.
    credentials.image_set(user=operation.member.user, image=content["image"], request=request)
    if content.get("pause"):
        time.sleep(content["pause"])  # widens the window for the concurrency test
    refuse = content.get("refuse")
    if refuse == "validation":
        raise ValidationError(MSG_REFUSED)
    if refuse == "product":
        raise ProductError(MSG_REFUSED)
    if refuse == "bug":
        raise RuntimeError("a programming error, not a refusal")
    return {"image": content["image"]}


def _result(operation: PendingOperation) -> dict[str, Any]:
    return {
        "title": "Imagen de seguridad actualizada",
        "message": f"Tu nueva imagen es {operation.result['image']}.",
        "number": f"IMG-{operation.pk}",
    }


TEST_KIND = OperationKind(
    name=KIND,
    title="Cambio de imagen de seguridad",
    description="Cambio de imagen de seguridad",
    start_url=url("profile:image"),
    execute=_execute,
    result=_result,
    details=lambda operation: [
        ("Imagen nueva", operation.content["image"].capitalize()),
        ("Canal", "Banca Web"),
    ],
    confirm_title="Confirmar cambio de imagen",
    confirm_label="Confirmar cambio",
)


def started(owner: Any) -> dict[str, Any]:
    """A started Perfil operation of ``owner`` (image change, its code sent), as URL
    kwargs: for the test that walks every URL with an id as another member."""
    from django.test import RequestFactory

    from enlinea.access.confirmations import IMAGE
    from enlinea.confirmation.services import operation_start

    request = RequestFactory().post("/")
    request.user = owner.user
    request.session = {}
    operation = operation_start(
        member=owner, kind=IMAGE, content={"image": "paloma"}, request=request
    )
    return {"token": operation.token}
