from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client


@pytest.mark.django_db
def test_healthz_is_200_when_the_database_answers(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_when_the_database_is_unreachable(client: Client) -> None:
    original = dict(connection.settings_dict)
    connection.close()
    # Nothing listens on port 1: a real refused connection, as when the server is down.
    connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": "1"})
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "error", "database": "unreachable"}
    # And it recovers as soon as the database is back.
    assert client.get("/healthz").status_code == 200
