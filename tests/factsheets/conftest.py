import pytest

from factsheets.models import Condition
from tests.factories import FactSheetFactory, make_published
from tests.factsheets.wsgi_app import app, django_app  # noqa: F401 - fixtures: the WSGI layers around Django


@pytest.fixture
def examplumab(author, reviewer1, reviewer2, committee):
    """One live sheet, /factsheets/examplumab/, for gout (/conditions/gout/), findable as "examplumab"."""
    return make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=FactSheetFactory(slug="examplumab"),
        generic_name="examplumab",
        conditions=[Condition.objects.create(name="Gout", slug="gout")],
        title="Examplumab version one",
    )
