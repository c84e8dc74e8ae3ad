from __future__ import annotations

from enlinea.access.checks import terms_text_exists


def test_the_configured_terms_version_has_its_text() -> None:
    assert terms_text_exists() == []


def test_a_terms_version_without_text_is_a_deploy_error(settings) -> None:
    settings.ACCESS_TERMS_VERSION = "1999.9"
    (error,) = terms_text_exists()
    assert error.id == "access.E001"
    assert "access/profile/terms/1999.9.html" in error.msg


def test_a_data_consent_version_without_text_is_a_deploy_error(settings) -> None:
    settings.ACCESS_DATA_CONSENT_VERSION = "1999.9"
    (error,) = terms_text_exists()
    assert error.id == "access.E002"
    assert "access/profile/data/1999.9.html" in error.msg
