"""Stored reviews (issue 17): the overview and a solve's page evaluate the whole day once,
then read the figures back; the draft's are forgotten as soon as anything they are
computed from changes (a move, the draft rewritten, a wish, a registration)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.registration.models import ProjectWish
from eventapp.scheduling import operations, review, views
from eventapp.scheduling.models import Assignment, ScheduleReview
from tests.scheduling_world import (
    build_world,
    join_solve_threads,  # noqa: F401 (autouse fixture)
    solve_and_accept,
)

# Solve jobs run in a thread and write through connections of their own.
pytestmark = pytest.mark.truncate_db

OVERVIEW = "/manage/events/small/schedule/"


@pytest.fixture
def app_config(app_config):
    app_config["REDIS_URL"] = ""
    return app_config


@pytest.fixture
def computed(monkeypatch) -> list[str]:
    """The reviews computed (by whole-day evaluation), in order."""
    calls: list[str] = []
    original = review.review_data

    def counted(instance, schedule, programme=None):
        calls.append("review")
        return original(instance, schedule, programme)

    monkeypatch.setattr(views, "review_data", counted)
    return calls


def _stored() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(ScheduleReview.source)))


def test_the_draft_review_is_computed_once_then_read_back(organiser_client, computed):
    world = build_world()
    job = solve_and_accept(world.event)
    first = organiser_client.get(OVERVIEW)
    assert first.status_code == 200 and computed == ["review"]
    assert _stored() == ["draft", "draft-changes"]
    second = organiser_client.get(OVERVIEW)
    assert second.status_code == 200 and computed == ["review"]  # read back
    assert "First wish granted" in second.get_data(True)
    page = f"/manage/events/small/schedule/jobs/{job.id}"
    assert organiser_client.get(page).status_code == 200
    assert organiser_client.get(page).status_code == 200
    assert computed == ["review", "review"]  # the solve's review, once too
    assert _stored() == ["draft", "draft-changes", f"job-{job.id}"]


def test_a_change_of_the_draft_forgets_its_review(organiser_client,
                                                                     computed):
    world = build_world()
    job = solve_and_accept(world.event)
    organiser_client.get(OVERVIEW)
    organiser_client.get(f"/manage/events/small/schedule/jobs/{job.id}")
    organiser_client.get("/manage/events/small/schedule/publish")
    assert _stored() == ["draft", "draft-changes", "draft-preview", f"job-{job.id}"]
    person = world.people[0]
    seat = db.session.scalar(select(Assignment).where(Assignment.participant_id == person.id))
    operations.set_pinned(person, round_id=seat.round_id, pinned=True)
    db.session.commit()
    assert _stored() == [f"job-{job.id}"]  # a solve's review does not depend on the draft
    organiser_client.get(OVERVIEW)
    assert computed == ["review", "review", "review"]


@pytest.mark.parametrize("change", ["wish", "accept"])
def test_wishes_and_a_rewritten_draft_forget_the_draft_review(organiser_client, change):
    world = build_world()
    job = solve_and_accept(world.event)
    organiser_client.get(OVERVIEW)
    assert _stored() == ["draft", "draft-changes"]
    if change == "wish":
        person = world.people[1]
        db.session.delete(person.project_wishes[0])
        db.session.commit()
    else:  # the draft rewritten by bulk statements
        operations.accept_result(world.event, job)
        db.session.commit()
    assert _stored() == []
    assert db.session.scalar(select(func.count()).select_from(ProjectWish)) > 0


def test_a_publication_forgets_the_changes_but_keeps_the_solve_review(organiser_client):
    world = build_world()
    job = solve_and_accept(world.event)
    operations.publish(world.event, None)
    db.session.commit()
    organiser_client.get(OVERVIEW)
    organiser_client.get(f"/manage/events/small/schedule/jobs/{job.id}")
    assert _stored() == [f"changes-job-{job.id}", "draft", "draft-changes", f"job-{job.id}"]
    operations.publish(world.event, None)
    db.session.commit()
    assert _stored() == [f"job-{job.id}"]
    page = organiser_client.get(OVERVIEW).get_data(True)
    assert "Version 2" in page
