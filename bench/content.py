"""Worst-case content timings: each pathological corpus of `bench/corpora.py`, filled to the version
limits, taken through the pages that render, score, mark and diff it.

    .venv/bin/python -m bench.content            # every corpus
    BENCH_CONTENT_ONLY="table rows" .venv/bin/python -m bench.content

Runs in a throwaway in-memory SQLite database (Django's test database machinery); prints one row per
corpus with the seconds each step took (each step is one request or one save of the whole version) and
their total, then the slowest request. The bar: every request under 2 s on this machine (two shared
cores), in time roughly linear in the input size.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.pop("DATABASE_URL", None)  # always the in-memory test database, never a real one

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.corpora import BODIES, DIFF_PAIRS, sections_for  # noqa: E402

STEPS = ["save", "edit page", "preview", "submit page", "submit", "review page"]


def _setup():
    from tests.factories import CommitteeFactory, make_user

    author = make_user("bench-author", "Authors")
    reviewers = [make_user(f"bench-reviewer{i}", "Reviewers") for i in (1, 2, 3)]
    committee = CommitteeFactory(required_approvals=2)
    committee.members.add(*reviewers)
    return author, reviewers, committee


def _live_with(author, reviewers, committee, body: str, count: int):
    """A live version whose sections have `body`, built through the real workflow."""
    from factsheets.models import Section
    from reviews import services
    from tests.factories import PASSWORD, make_draft

    draft = make_draft(author=author, sections=0)
    for position in range(count):
        section = Section(revision=draft, position=position, kind="other", heading=f"Part {position}", body=body)
        section._history_user = author
        section.save()
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="Benchmark text.")
    for reviewer in reviewers[:2]:
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    draft.refresh_from_db()
    return draft


def measure(author, reviewers, committee, old_body: str, new_body: str) -> dict[str, float]:
    from factsheets.models import Section
    from factsheets.content.services import revision_start_draft
    from reviews import services

    count = sections_for(max(old_body, new_body, key=len))
    live = _live_with(author, reviewers, committee, old_body, count)
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    client = Client()
    client.force_login(author)
    timings: dict[str, float] = {}

    start = time.perf_counter()
    for section in list(draft.sections.all()):
        section.body = new_body
        section._history_user = author
        section.full_clean()
        section.save()
    timings["save"] = time.perf_counter() - start

    for step, url in [
        ("edit page", reverse("admin:factsheets_factsheetrevision_change", args=[draft.pk])),
        ("preview", reverse("factsheets:preview", args=[draft.pk])),
        ("submit page", reverse("reviews:submit", args=[draft.pk])),
    ]:
        start = time.perf_counter()
        response = client.get(url)
        timings[step] = time.perf_counter() - start
        assert response.status_code == 200, (step, response.status_code)

    start = time.perf_counter()
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="Benchmark text.")
    timings["submit"] = time.perf_counter() - start

    client.force_login(reviewers[2])
    start = time.perf_counter()
    response = client.get(reverse("reviews:review", args=[review.pk]))
    timings["review page"] = time.perf_counter() - start
    assert response.status_code == 200
    assert Section.objects.filter(revision=draft).count() == count
    return timings


def main() -> None:
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    from django.core.cache import cache

    author, reviewers, committee = _setup()
    only = os.environ.get("BENCH_CONTENT_ONLY")
    plain = "The medicine is taken once a week with food. Tell your doctor about any fever.\n\n"
    cases = {f"render: {name}": (plain * (len(body) // len(plain)), body) for name, body in BODIES.items()}
    cases.update({f"diff: {name}": pair for name, pair in DIFF_PAIRS.items()})
    print(f"{'corpus':45s} {'chars':>7s} " + " ".join(f"{step:>11s}" for step in STEPS) + f" {'total':>7s}")
    worst, slowest_step = ("", 0.0), ("", "", 0.0)
    for name, (old_body, new_body) in cases.items():
        if only and only not in name:
            continue
        cache.clear()  # reading scores are cached by text; measure the first, uncached, view
        timings = measure(author, reviewers, committee, old_body, new_body)
        total = sum(timings.values())
        chars = len(new_body) * sections_for(max(old_body, new_body, key=len))
        print(f"{name:45s} {chars:7d} " + " ".join(f"{timings[s]:11.3f}" for s in STEPS) + f" {total:7.2f}", flush=True)
        if total > worst[1]:
            worst = (name, total)
        step = max(STEPS, key=timings.__getitem__)
        if timings[step] > slowest_step[2]:
            slowest_step = (name, step, timings[step])
    print(f"\nslowest request: {slowest_step[1]} of {slowest_step[0]}: {slowest_step[2]:.2f} s (bar: 2 s)")
    print(f"slowest corpus, all six steps together: {worst[0]}: {worst[1]:.2f} s")


if __name__ == "__main__":
    main()
