"""The manual's fixed lists: the 12 security questions and the 10 security images."""

from __future__ import annotations

from django.db import models


class Question(models.TextChoices):
    COMIDA = "comida", "¿Cuál es tu comida favorita?"
    ABUELO_PATERNO = "abuelo_paterno", "¿Cuál es el nombre de tu abuelo paterno?"
    JUGADOR = "jugador", "¿Quién es tu jugador favorito?"
    DEPORTE = "deporte", "¿Cuál es tu deporte favorito?"
    VEHICULO = "vehiculo", "¿Marca de vehículo favorito?"
    CIUDAD = "ciudad", "¿Ciudad dónde naciste?"
    ABUELA_MATERNA = "abuela_materna", "¿Nombre de tu abuela materna?"
    PRIMER_TRABAJO = "primer_trabajo", "¿Cuál fue tu primer trabajo?"
    COLEGIO = "colegio", "¿Nombre de tu colegio?"
    COLOR = "color", "¿Cuál es tu color favorito?"
    AMIGO = "amigo", "¿Amigo de la infancia?"
    SERIE = "serie", "¿Serie de televisión favorita?"


class SecurityImage(models.TextChoices):
    """Drawn as SVG in ``access/templates/access/imagenes/<value>.svg``."""

    TELEFONO = "telefono", "Teléfono"
    CELULAR = "celular", "Celular"
    BILLETE = "billete", "Billete"
    CONO = "cono", "Cono"
    MANO = "mano", "Mano"
    PERFUME = "perfume", "Perfume"
    DELFIN = "delfin", "Delfín"
    PALOMA = "paloma", "Paloma"
    MARTILLO = "martillo", "Martillo"
    CHAQUETA = "chaqueta", "Chaqueta"


class ConsentDocument(models.TextChoices):
    TERMS = "terms", "Términos y Condiciones Canales Digitales"
    DATA = "data", "Tratamiento de datos"
