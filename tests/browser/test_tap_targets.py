"""Tap targets and one pattern, in a real Chromium (WCAG 2.2 2.5.8, UX.md "24x24 px").

Every page with radios, checkboxes, cards or buttons is walked the way a member gets
there: the login and its new-device step, Regístrate, every Primer ingreso step,
Perfil and its forms, and Soporte. On each one:

- every interactive element (links, buttons, fields, summaries, and the label of each
  radio and checkbox, which is what a thumb really taps) is at least 24x24 px; links
  inside a sentence are WCAG's "inline" exception and are left out;
- a card that looks tappable is tappable anywhere, not only on its text;
- every action row has one order, the manual's: the secondary action ("Regresar",
  "Cancelar", "Salir") first, the primary one last (on the right on a wide screen).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import MEMBER_PASSWORD
from enlinea.access import enrolment
from enlinea.access.models import OnlineProfile
from enlinea.members.services import member_create
from enlinea.members.tests.support import make_cedula
from tests.support.browser import DESKTOP, PHONE, styled_box, wait_styled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIN = 24
TEMP_PASSWORD = "Temporal#2026"
NEW_PASSWORD = "Cumbaya#2026x"

# Elements that are too small, as "tag 'name' WxH". A link whose block holds other
# text is in a sentence (WCAG 2.5.8 "inline" exception); the skip link sits off-screen
# until it is focused; visually hidden text is not a target.
_SMALL_TARGETS = """
(min) => {
  const label = (el) => (el.getAttribute('aria-label') || el.textContent || el.value || el.name || el.id || '')
    .replace(/\\s+/g, ' ').trim().slice(0, 60);
  const inSentence = (el) => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    let block = el.parentElement;
    while (block && getComputedStyle(block).display === 'inline') block = block.parentElement;
    return block && block.textContent.replace(/\\s+/g, '') !== el.textContent.replace(/\\s+/g, '');
  };
  const bad = [];
  const seen = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, label');
  for (const el of seen) {
    if (el.closest('.visually-hidden, .skip-link, dialog:not([open])')) continue;
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    if (el.tagName === 'LABEL') {
      const control = el.control;
      if (!control || !['radio', 'checkbox'].includes(control.type)) continue;
    }
    if (inSentence(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.width < min || box.height < min) {
      bad.push(`${el.tagName.toLowerCase()}${el.type ? '[' + el.type + ']' : ''} '${label(el)}' `
        + `${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return bad;
}
"""

# Action rows whose primary button comes before a secondary one.
_BUTTON_ORDER = """
() => {
  const bad = [];
  for (const row of document.querySelectorAll('.button-row')) {
    if (!row.checkVisibility() && !row.closest('dialog')) continue;
    const buttons = [...row.querySelectorAll('.button')];
    const kinds = buttons.map(b => b.classList.contains('button-secondary') ? 's' : 'p').join('');
    if (/p.*s/.test(kinds)) {
      bad.push(buttons.map(b => `${kinds[buttons.indexOf(b)]}:${b.textContent.trim()}`).join(' | '));
    }
  }
  // Enter in a field presses the form's first submit button: with the secondary action
  // first, it must not be that one (or Enter would cancel the step).
  for (const form of document.forms) {
    const submits = [...form.elements].filter(e => e.type === 'submit');
    const primary = submits.filter(e => e.matches('.button:not(.button-secondary)'));
    if (primary.length && submits[0] !== primary[0]) {
      bad.push(`form ${form.action}: Enter presses '${submits[0].textContent.trim()}'`);
    }
  }
  return bad;
}
"""

# For each card, the points (centre and the four corners, 3 px in) where a tap does
# not land on the card's link.
_DEAD_SPOTS = """
([cardSelector, linkSelector]) => {
  const bad = [];
  for (const card of document.querySelectorAll(cardSelector)) {
    const link = card.matches(linkSelector) ? card : card.querySelector(linkSelector);
    if (!link) continue;
    card.scrollIntoView({block: 'center'});
    const r = card.getBoundingClientRect();
    const points = [[r.left + r.width / 2, r.top + r.height / 2], [r.left + 3, r.top + 3],
      [r.right - 3, r.top + 3], [r.left + 3, r.bottom - 3], [r.right - 3, r.bottom - 3]];
    for (const [x, y] of points) {
      const hit = document.elementFromPoint(x, y);
      if (!hit || !link.contains(hit)) {
        bad.push(`${link.textContent.trim()} at ${Math.round(x - r.left)},${Math.round(y - r.top)}`
          + ` (${hit ? hit.tagName.toLowerCase() + '.' + hit.className : 'nothing'})`);
      }
    }
  }
  return bad;
}
"""


def check_targets(page: Page) -> None:
    """Every target on the page is at least 24x24 px and the action rows keep one order."""
    wait_styled(page)
    small = page.evaluate(_SMALL_TARGETS, MIN)
    assert not small, f"Targets under {MIN}x{MIN} px on {page.url}:\n" + "\n".join(small)
    order = page.evaluate(_BUTTON_ORDER)
    assert not order, (
        f"Primary before secondary on {page.url} (secondary first, primary last):\n"
        + "\n".join(order)
    )


def assert_cards_tappable_anywhere(page: Page, card: str, link: str = "a") -> None:
    expect(page.locator(card).first).to_be_visible()
    dead = page.evaluate(_DEAD_SPOTS, [card, link])
    assert not dead, f"Parts of {card} on {page.url} that a tap misses:\n" + "\n".join(dead)


def test_login_steps_and_the_new_device_radios(open_page, live_server, member) -> None:
    page, outside = open_page(PHONE)
    page.goto(live_server.url + "/")
    check_targets(page)
    page.get_by_label("Usuario").fill("andreslopez")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_label("Contraseña")).to_be_visible()
    check_targets(page)
    page.get_by_label("Contraseña").fill(MEMBER_PASSWORD)
    page.get_by_role("button", name="Iniciar Sesión").click()

    expect(page.get_by_role("heading", level=1, name="Nuevo dispositivo")).to_be_visible()
    check_targets(page)
    # The whole row answers a tap, not only the 24 px circle: tap the label's far end.
    no = page.locator("label", has=page.get_by_role("radio", name="No"))
    no.scroll_into_view_if_needed()
    box = styled_box(no)
    assert box["height"] >= 44
    assert box["width"] > 200
    page.mouse.click(box["x"] + box["width"] - 5, box["y"] + box["height"] - 5)
    expect(page.get_by_role("radio", name="No")).to_be_checked()
    assert outside == []


def test_registration_checkboxes(open_page, live_server) -> None:
    cedula = make_cedula()
    member_create(
        identification_type="CEDULA",
        identification=cedula,
        first_names="Rosa Elena",
        last_names="Quishpe Tipan",
        email=f"socio.{cedula}@example.com",
        mobile_phone="0998765432",
    )
    page, outside = open_page(PHONE)
    page.goto(live_server.url + "/registro/")
    check_targets(page)
    page.get_by_label("Número de identificación").fill(cedula)
    page.get_by_role("button", name="Validar").click()

    for name in ("Aceptar términos y condiciones", "Autorizar Tratamiento de datos"):
        box = page.get_by_role("checkbox", name=name)
        expect(box).to_be_visible()
        check_targets(page)
        # One checkbox layout: box left, label right, the whole row a target.
        row_label = page.locator("label", has_text=name)
        row_label.scroll_into_view_if_needed()
        square = styled_box(box)
        text = styled_box(row_label)
        assert square["x"] + square["width"] <= text["x"] + 1  # box on the left
        assert text["height"] >= 44
        page.mouse.click(text["x"] + text["width"] - 3, text["y"] + text["height"] - 3)
        expect(box).to_be_checked()
        page.get_by_role("button", name="Aceptar").click()
    dialog = page.get_by_role("dialog", name="Factor de seguridad")
    expect(dialog).to_be_visible()
    check_targets(page)
    # Enter in the code field validates it; it does not press "Reenviar", shown first.
    dialog.get_by_label("Código de verificación").fill("000000")
    dialog.get_by_label("Código de verificación").press("Enter")
    expect(page.get_by_role("dialog", name="Factor de seguridad")).to_contain_text(
        "El código ingresado es incorrecto."
    )
    assert outside == []


def _temporary_member() -> str:
    """A member right after Regístrate: temporary credentials, no image, no answers."""
    member = member_create(
        identification_type="CEDULA",
        identification=make_cedula(),
        first_names="Rosa Elena",
        last_names="Quishpe Tipan",
        email="rosa.quishpe@example.com",
        mobile_phone="0998765432",
    )
    username = enrolment.temporary_username()
    user = get_user_model().objects.create_user(username=username, password=TEMP_PASSWORD)
    OnlineProfile.objects.create(
        user=user, temporary=True, temporary_expires_at=timezone.now() + timedelta(hours=1)
    )
    member.user = user
    member.save(update_fields=["user"])
    return username


def test_every_first_login_step(open_page, live_server) -> None:
    username = _temporary_member()
    page, outside = open_page(PHONE)
    page.goto(live_server.url + "/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_role("button", name="Continuar").click()
    page.get_by_label("Contraseña").fill(TEMP_PASSWORD)
    page.get_by_role("button", name="Iniciar Sesión").click()
    page.wait_for_url("**/primer-ingreso/")
    check_targets(page)
    page.get_by_role("link", name="Continuar").click()

    expect(
        page.get_by_role("heading", level=1, name="Personaliza tu nombre de usuario")
    ).to_be_visible()
    check_targets(page)
    # Enter in a field presses the primary button ("Confirmar"), not the "Cancelar"
    # shown before it.
    page.get_by_label("Nombre de usuario", exact=True).fill("rosa2026")
    page.get_by_label("Nombre de usuario", exact=True).press("Enter")

    expect(
        page.get_by_role("heading", level=1, name="Registrar preguntas de seguridad")
    ).to_be_visible()
    check_targets(page)
    page.get_by_label("¿Cuál es tu comida favorita?").fill("encebollado")
    page.get_by_label("¿Ciudad dónde naciste?").fill("quito")
    page.get_by_label("¿Cuál es tu color favorito?").fill("verde")
    page.get_by_role("button", name="Confirmar").click()

    expect(
        page.get_by_role("heading", level=1, name="Registrar imagen de seguridad")
    ).to_be_visible()
    check_targets(page)
    assert_cards_tappable_anywhere(page, ".image-card", ".image-card")
    page.get_by_role("radio", name="Delfín", exact=True).check()
    page.get_by_role("button", name="Validar").click()

    expect(page.get_by_role("heading", level=1, name="Actualizar contraseña")).to_be_visible()
    check_targets(page)
    page.get_by_label("Ingresar tu contraseña actual o temporal").fill(TEMP_PASSWORD)
    page.get_by_label("Nueva contraseña", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmar contraseña", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Confirmar").click()

    expect(
        page.get_by_text("Estás ingresando desde un nuevo dispositivo, ¿Deseas registrarlo?")
    ).to_be_visible()
    check_targets(page)
    si = page.locator("label", has=page.get_by_role("radio", name="Si, guardar"))
    si.scroll_into_view_if_needed()
    box = styled_box(si)
    page.mouse.click(box["x"] + box["width"] - 5, box["y"] + 5)
    expect(page.get_by_role("radio", name="Si, guardar")).to_be_checked()
    # "Salir", first in the row, still leaves the wizard (through its own form).
    page.get_by_role("button", name="Salir").click()
    expect(page.get_by_role("heading", level=1, name="Iniciar Sesión")).to_be_visible()
    page.goto(live_server.url + "/primer-ingreso/")
    expect(page.get_by_role("heading", level=1, name="Iniciar Sesión")).to_be_visible()
    assert outside == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_perfil_cards_are_tappable_anywhere(
    open_page, live_server, login, member, viewport
) -> None:
    page, outside = open_page(viewport)
    login(page)
    page.goto(live_server.url + "/menu/perfil/")
    expect(page.get_by_role("heading", level=1, name="Perfil")).to_be_visible()
    check_targets(page)
    assert_cards_tappable_anywhere(page, ".option-card")
    # The manual's words stay the cards' names, and a tap on a card's empty corner opens it.
    card = page.get_by_role("main").get_by_role("listitem").filter(has_text="Dispositivos")
    link = card.get_by_role("link", name="Dispositivos", exact=True)
    expect(link).to_be_visible()
    card.scroll_into_view_if_needed()
    box = styled_box(card)
    page.mouse.click(box["x"] + box["width"] - 4, box["y"] + box["height"] - 4)
    expect(page).to_have_url(re.compile(r"/perfil/dispositivos/$"))
    check_targets(page)

    for path in (
        "/perfil/preguntas/",
        "/perfil/imagen/",
        "/perfil/contrasena/",
        "/perfil/usuario/",
        "/perfil/bloquear/",
        "/perfil/terminos/",
    ):
        page.goto(live_server.url + path)
        check_targets(page)
    assert outside == []


def test_soporte_cards_and_forms(open_page, live_server, login, member) -> None:
    page, outside = open_page(PHONE)
    login(page)
    page.goto(live_server.url + "/soporte/")
    check_targets(page)
    assert_cards_tappable_anywhere(page, ".support-option", ".support-option")
    page.get_by_role("link", name=re.compile("^Quejas y reclamos")).click()
    expect(page.get_by_role("heading", level=1, name="Quejas y reclamos")).to_be_visible()
    check_targets(page)
    page.get_by_role("button", name="Enviar").click()  # the errors, the summary's links
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_targets(page)
    for path in (
        "/soporte/quejas/",
        "/soporte/preguntas-frecuentes/",
        "/soporte/centro-de-llamadas/",
    ):
        page.goto(live_server.url + path)
        check_targets(page)
    assert outside == []


def test_links_in_tables_on_a_wide_screen(
    open_page, live_server, login, member, settings, tmp_path
) -> None:
    """On a wide screen the lists are tables: the ticket of «Mis quejas y reclamos» and
    the mailbox's subjects, alone in their cells, were 19 px high."""
    from enlinea.members.models import Member
    from enlinea.notifications.models import Channel, MailboxItem
    from enlinea.support.services import complaint_file

    settings.MEDIA_ROOT = tmp_path / "media"
    socio = Member.objects.get(user=member)
    complaint = complaint_file(
        member=socio,
        product="cuentas",
        product_reference="",
        full_name=socio.full_name,
        identification=socio.identification,
        detail="El cajero automático debitó $ 20.00 y no entregó el dinero.",
        attachment=None,
        consent=True,
    )
    page, outside = open_page(DESKTOP)
    login(page)
    page.goto(live_server.url + "/soporte/quejas/")
    expect(page.get_by_role("link", name=complaint.ticket)).to_be_visible()
    check_targets(page)

    settings.DEMO_MODE = True
    MailboxItem.objects.create(
        channel=Channel.EMAIL,
        recipient=socio.email,
        subject="Tu código de seguridad de Cooprogreso En Línea",
        body="Tu código es 123456.",
    )
    page.goto(live_server.url + "/dev/buzon/")
    expect(
        page.get_by_role("link", name="Tu código de seguridad de Cooprogreso En Línea")
    ).to_be_visible()
    check_targets(page)
    assert outside == []
