"""The public chrome in Spanish at the Spanish addresses (/es/...); English addresses unchanged; the signed body
untouched."""

import pytest
from django.conf import settings
from django.utils import translation

from reviews import services
from tests.factories import make_published_translation, make_translation_committee
from tests.factsheets import test_public_pages

MO_FILE = settings.BASE_DIR / "locale" / "es" / "LC_MESSAGES" / "django.mo"
# The published sheet "Examplumab (Examplex)" (slug examplumab) of the public page tests.
arthritis, live = test_public_pages.arthritis, test_public_pages.live
DISCLAIMER_ES = "Esta hoja informativa es solo para educación general. No es un consejo médico."


@pytest.fixture(autouse=True)
def _compiled_catalogue():
    po = MO_FILE.with_suffix(".po")
    if not MO_FILE.exists() or MO_FILE.stat().st_mtime < po.stat().st_mtime:
        pytest.fail(f"{MO_FILE} is missing or older than {po.name}: run `make messages` (make test does it)")


def get_es(client, url):
    """The Spanish address of the English page `url`."""
    response = client.get(f"/es{url}")
    return response, response.content.decode()


@pytest.fixture
def spanish(live, author, reviewer1, reviewer2, reviewer3):
    """The live sheet's Spanish edition (tests.factories.SPANISH_TEXT), version 1, translating English version 1."""
    return make_published_translation(
        author=author,
        english=live,
        reviewers=[reviewer1, reviewer2],
        committee=make_translation_committee(reviewer1, reviewer2, reviewer3),
    )


def test_index_chrome_in_spanish(client, spanish):
    response, html = get_es(client, "/")
    assert response.status_code == 200
    assert '<html lang="es">' in html
    assert "<h1>Hojas informativas de la A a la Z</h1>" in html
    assert '<label for="site-search-q">Buscar hojas informativas</label>' in html
    assert "Ir al contenido" in html
    assert "Explorar por enfermedad" in html
    assert "Examplumab (Examplex)" in html  # content stays as published
    assert "Skip to content" not in html


def test_index_chrome_in_english_by_default(client, live):
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Fact sheets A&ndash;Z</h1>" in html
    assert "<title>Fact sheets A&ndash;Z | Patient Drug Fact Sheets</title>" in html
    assert "Hojas informativas" not in html


def test_sheet_page_chrome_in_spanish_body_as_signed(client, live, spanish):
    english = client.get("/factsheets/examplumab/").content.decode()
    response, html = get_es(client, "/factsheets/examplumab/")
    assert response.status_code == 200
    assert DISCLAIMER_ES in html
    assert "Todas las versiones de esta hoja informativa" in html
    assert "Versión 1" in html
    assert "This fact sheet is for general education only." in english
    assert "Todas las versiones" not in english
    assert live.rendition.body_html in english  # each page serves its edition's signed rendition, byte for byte
    assert spanish.rendition.body_html in html


def test_english_request_while_spanish_is_active_elsewhere_stays_english(client, live):
    """Only the address decides: a language active in the serving thread does not leak into English pages."""
    with translation.override("es"):
        html = client.get("/factsheets/examplumab/").content.decode()
    assert '<html lang="en">' in html and "Todas las versiones" not in html


def test_withdrawn_sheet_410_in_spanish(client, live, editor):
    services.factsheet_withdraw(fact_sheet=live.fact_sheet, by=editor, reason="Replaced by a combined sheet.")
    response, html = get_es(client, "/factsheets/examplumab/")
    assert response.status_code == 410
    assert "<h1>Esta hoja informativa se ha retirado</h1>" in html
    assert "La hoja informativa &ldquo;Examplumab (Examplex)&rdquo; ya no está disponible." in html
    assert "<strong>Motivo:</strong> Replaced by a combined sheet." in html
    assert "Hable con su médico o farmacéutico" in html


def test_404_in_spanish_and_english(client, db):
    response, html = get_es(client, "/factsheets/no-such-sheet/")
    assert response.status_code == 404
    assert "<h1>Página no encontrada</h1>" in html
    assert '<a href="/es/">Vea todas las hojas informativas de la A a la Z</a>' in html
    english = client.get("/factsheets/no-such-sheet/").content.decode()
    assert "<h1>Page not found</h1>" in english
    assert '<a href="/">Browse all fact sheets A&ndash;Z</a> or use the search box above.' in english


def test_search_count_is_pluralised_in_spanish(client, spanish):
    _, html = get_es(client, "/search/?q=examplumab")  # Spanish search reads the Spanish edition
    assert "Se encontró 1 hoja informativa." in html
