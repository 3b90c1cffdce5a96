import os

import pytest

from tests.factories import CommitteeFactory, make_user

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    if not os.path.exists(CHROMIUM):
        skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium); CI installs it")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def author(db):
    return make_user("author", "Authors", first_name="Ada", last_name="Writer")


@pytest.fixture
def reviewer1(db):
    return make_user("reviewer1", "Reviewers", first_name="Rita", last_name="First")


@pytest.fixture
def reviewer2(db):
    return make_user("reviewer2", "Reviewers", first_name="Ravi", last_name="Second")


@pytest.fixture
def reviewer3(db):
    return make_user("reviewer3", "Reviewers", first_name="Rosa", last_name="Third")


@pytest.fixture
def editor(db):
    return make_user("editor", "Editors", first_name="Eddie", last_name="Editor")


@pytest.fixture
def committee(db, reviewer1, reviewer2, reviewer3):
    committee = CommitteeFactory(required_approvals=2)
    committee.members.add(reviewer1, reviewer2, reviewer3)
    return committee


@pytest.fixture(scope="session")
def browser():
    """One headless system Chromium for the session (Playwright's sync API)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()
