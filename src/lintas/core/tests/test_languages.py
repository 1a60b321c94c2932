"""Khmer, Lao, Burmese and Portuguese (Timor-Leste) are selectable like the first six (issue 17 item 8, decision
0050): in the switcher under their own names, in the profile, and active on the next page."""

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import check_for_language, get_language_info

from lintas.core.templatetags.lintas_format import money

pytestmark = pytest.mark.django_db

NEW = {"km": "ខ្មែរ", "lo": "ລາວ", "my": "မြန်မာ", "pt": "Português"}


@pytest.mark.parametrize("code", NEW)
def test_django_knows_each_language(code):
    assert dict(settings.LANGUAGES)[code] == NEW[code]
    assert check_for_language(code), f"{code}: no catalogue, so the locale middleware would never choose it"
    assert get_language_info(code)["name_local"] == NEW[code]
    with translation.override(code):
        text = Template(
            "{% load i18n %}{% get_current_language as c %}{% get_language_info for c as i %}{{ i.name_local }}"
        )
        assert text.render(Context()) == NEW[code]


def test_the_switcher_lists_them_and_switching_works(make_user, signed_in):
    user = make_user("pntl")
    client = signed_in(user)
    page = client.get("/").content.decode()
    for code, name in NEW.items():
        assert f'<option value="{code}" lang="{code}">{name}</option>' in page
    response = client.post("/i18n/language/", {"language": "pt", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "pt"
    assert '<html lang="pt"' in client.get("/").content.decode()


@pytest.mark.parametrize("code", NEW)
def test_the_profile_offers_them(make_user, signed_in, code):
    user = make_user("spf")
    client = signed_in(user)
    assert f'value="{code}"' in client.get("/accounts/profile/").content.decode()
    response = client.post("/accounts/profile/", {"form": "preferences", "language": code, "time_zone": "Asia/Dili"})
    assert response.status_code in (200, 302)
    user.refresh_from_db()
    assert user.language == code
    assert f'<html lang="{code}"' in client.get("/").content.decode()


def test_amounts_in_each_new_language():
    expected = {
        "km": "USD 39.000.000,00",
        "pt": "USD 39.000.000,00",
        "lo": "USD 39,000,000.00",
        "my": "USD 39,000,000.00",
    }
    for code, text in expected.items():
        with translation.override(code):
            assert money("39000000", "USD") == text


@pytest.mark.parametrize("code", NEW)
def test_a_pdf_in_each_new_language_renders_even_without_its_fonts(code):
    """PDFs are not translated yet (out of scope), but a PDF asked for in these languages, with a name in their
    script, must not fail: a glyph no installed font has is drawn as a box, never an error."""
    from weasyprint import HTML

    from lintas.core.pdf import _fetcher_class

    template = Template('{% extends "core/pdf_base.html" %}{% block content %}<p>{{ words }}</p>{% endblock %}')
    fetcher, _ = _fetcher_class()
    with translation.override(code):
        html = template.render(Context({"words": "ខ្មែរ ລາວ မြန်မာ Português"}))
        data = HTML(string=html, base_url="data:,", url_fetcher=fetcher()).write_pdf()
    assert data.startswith(b"%PDF")


def test_demo_users_of_cambodia_laos_myanmar_and_timor_leste_read_their_language():
    from lintas.accounts.demo import seed_demo_users
    from lintas.accounts.models import User

    seed_demo_users()
    languages = dict(User.objects.filter(username__endswith=".liaison").values_list("username", "language"))
    assert languages["cnp.liaison"] == "km" and languages["lao-mps.liaison"] == "lo"
    assert languages["mpf.liaison"] == "my" and languages["pntl.liaison"] == "pt"
    assert languages["knpa.liaison"] == "ko" and languages["spf.liaison"] == "en"
