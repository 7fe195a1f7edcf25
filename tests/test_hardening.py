"""Issue 6: bad input, invisible names, phone numbers in the admin's history, caching and sign-in records."""

import logging
from http import HTTPStatus

import pytest
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse

from tests.helpers import profile_named

pytestmark = pytest.mark.django_db


# --- defect 5: "Who's watching?" next ------------------------------------------------------------------------


# --- defect 6: profile names ---------------------------------------------------------------------------------


# --- defect 7: a deleted phone number leaves no copy -----------------------------------------------------------


# --- defect 11: caching, sign-in records, phone extensions ------------------------------------------------------


@pytest.mark.parametrize("page", ["profiles", "account", "phone", "profile_add"])
def test_pages_showing_personal_data_are_not_stored_by_caches(member_client, page):
    response = member_client.get(reverse(page))
    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_privacy_page_is_not_stored_by_caches(member_client, ads_account):
    response = member_client.get(profile_named(ads_account, "Alex").get_absolute_url())
    assert "no-store" in response["Cache-Control"]


def test_public_landing_page_may_be_cached_when_signed_out(client):
    assert "no-store" not in client.get("/").get("Cache-Control", "")


# --- defect 9 (the part that runs in-process): no manifest is not a 500 ----------------------------------------


def test_production_storage_without_collectstatic_serves_pages_not_500(client, tmp_path, caplog):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "common.storage.ForgivingManifestStaticFilesStorage"},
    }
    with (
        override_settings(STORAGES=storages, STATIC_ROOT=tmp_path, WHITENOISE_USE_FINDERS=False),
        caplog.at_level(logging.ERROR, logger="common.static"),
    ):
        response = client.get("/")
    assert response.status_code == HTTPStatus.OK
    assert "/static/css/site.css" in response.content.decode()
    assert "collectstatic" in caplog.text


def test_the_friendly_error_page_needs_no_template_context():
    assert "Something went wrong" in render_to_string("500.html")


@pytest.mark.parametrize("url_name", ["home", "profiles", "account", "phone", "cookies", "privacy_statement"])
def test_head_requests_answer_like_get(member_client, url_name):
    assert member_client.head(reverse(url_name)).status_code == HTTPStatus.OK
