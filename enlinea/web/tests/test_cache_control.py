"""Finding 10: no page of the application is kept in a browser's or a proxy's cache.

Before, member and back-office pages sent no ``Cache-Control``: on a shared computer
a complaint with the member's cédula and e-mail could come back from the browser
cache after logout. ``enlinea.web.middleware.NoStoreMiddleware`` marks every response
Django makes; WhiteNoise's static files stay cacheable.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.cache import patch_cache_control

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")}


def assert_never_stored(response) -> None:
    cache = directives(response)
    assert {"no-store", "no-cache", "must-revalidate", "private", "max-age"} <= cache, cache
    assert "max-age=0" in response["Cache-Control"]
    assert "public" not in cache
    assert response.has_header("Expires")


def test_the_middleware_is_installed_right_after_whitenoise() -> None:
    middleware = settings.MIDDLEWARE
    position = middleware.index("enlinea.web.middleware.NoStoreMiddleware")
    assert middleware[position - 1] == "whitenoise.middleware.WhiteNoiseMiddleware"


@pytest.mark.parametrize(
    "name",
    ["support:complaint_new", "support:complaints", "support:home", "support:faq"],
)
def test_member_pages_are_never_stored(client: Client, member, name: str) -> None:
    client.force_login(member)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_never_stored(response)


def test_a_complaint_with_the_members_data_is_never_stored(client: Client, member) -> None:
    from enlinea.support.services import complaint_file

    complaint = complaint_file(
        member=member.member,
        product="cuentas",
        product_reference="",
        full_name="Andres David Lopez Maya",
        identification=member.member.identification,
        detail="El cajero no entregó el dinero.",
        attachment=None,
        consent=True,
    )
    client.force_login(member)
    response = client.get(reverse("support:complaint_detail", args=[complaint.pk]))
    assert member.member.identification in response.content.decode()
    assert_never_stored(response)


def test_a_menu_section_page_is_never_stored(client: Client, member) -> None:
    client.force_login(member)
    response = client.get(reverse("web:section", args=["perfil"]))
    assert response.status_code == 200
    assert_never_stored(response)


def test_back_office_pages_are_never_stored(admin_client: Client) -> None:
    for url in (reverse("admin:index"), reverse("admin:support_complaint_changelist")):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_never_stored(response)


def test_htmx_partials_are_never_stored(client: Client, member, client_login) -> None:
    client_login(client)
    page = client.get(reverse("support:complaints"), HTTP_HX_REQUEST="true")
    assert_never_stored(page)
    keep_alive = client.post(reverse("session:keep_alive"), HTTP_HX_REQUEST="true")
    assert keep_alive.status_code == 200
    assert_never_stored(keep_alive)


def test_a_downloaded_attachment_is_never_stored(
    admin_client: Client, member, tmp_path, settings
) -> None:
    from enlinea.support.services import complaint_file
    from enlinea.support.tests.conftest import upload

    settings.MEDIA_ROOT = tmp_path  # a throw-away folder for the stored file
    complaint = complaint_file(
        member=member.member,
        product="cuentas",
        product_reference="",
        full_name="Andres David Lopez Maya",
        identification=member.member.identification,
        detail="Adjunto el comprobante.",
        attachment=upload(),
        consent=True,
    )
    response = admin_client.get(reverse("admin:support_complaint_attachment", args=[complaint.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert_never_stored(response)


def test_the_login_flow_and_public_pages_are_never_stored(client: Client, member) -> None:
    login = client.get(reverse("session:login"))
    assert_never_stored(login)
    client.post(reverse("session:login"), {"username": "andreslopez"})
    password_step = client.get(reverse("session:password"))  # shows the security image
    assert password_step.status_code == 200
    assert_never_stored(password_step)
    assert_never_stored(client.get(reverse("profile:recover")))
    assert_never_stored(client.get(reverse("support:faq")))


def test_redirects_and_refusals_are_never_stored(client: Client) -> None:
    # Redirect to the login made by @login_required, and a 404.
    assert_never_stored(client.get(reverse("support:complaint_new")))
    assert_never_stored(client.get("/no-existe/"))


def test_logout_answer_is_never_stored(client: Client, member) -> None:
    client.force_login(member)
    assert_never_stored(client.post(reverse("session:logout")))


def test_a_view_asking_for_public_caching_is_overruled(rf) -> None:
    from django.http import HttpResponse

    from enlinea.web.middleware import NoStoreMiddleware

    def view(request):
        response = HttpResponse("hola")
        patch_cache_control(response, public=True, max_age=3600)
        return response

    response = NoStoreMiddleware(view)(rf.get("/"))
    assert_never_stored(response)


def test_static_files_stay_cacheable(client: Client) -> None:
    response = client.get(settings.STATIC_URL + "web/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
