"""A small event for the scheduling tests, and helpers to run solve jobs to their end.

Two rooms of 4 seats (Salle A step-free, Salle B not), two rounds with two sessions each,
one workshop slot with two workshops, six participants; one presents project "alpha" in
round 1.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from eventapp.extensions import db
from eventapp.models import Event, Participant, Project, Room, Round, Session, Workshop
from eventapp.registration.models import ProjectWish, WorkshopWish
from tests.factories import (
    make_event,
    make_participant,
    make_project,
    make_room,
    make_round,
    make_session,
    make_theme,
    make_workshop,
    make_workshop_slot,
)


@dataclass
class World:
    event: Event
    rooms: dict[str, Room]
    rounds: list[Round]
    projects: dict[str, Project]
    sessions: dict[str, Session]
    workshops: dict[str, Workshop]
    people: list[Participant]
    presenter: Participant


def build_world(capacity: int = 4, people: int = 6) -> World:
    event = make_event(slug="small")
    red = make_theme(event, key="red", name="Remobiliser", colour="#c0392b", colour_name="rouge")
    blue = make_theme(event, key="blue", name="Former", colour="#1f5fa8", colour_name="bleu")
    room_a = make_room(event, key="a", name="Salle A", capacity=capacity, step_free=True,
                       themes=[red, blue])
    room_b = make_room(event, key="b", name="Salle B", capacity=capacity, step_free=False,
                       themes=[red, blue])
    r1 = make_round(event, "11:50", key="r1")
    r2 = make_round(event, "12:15", key="r2")
    presenter = make_participant(event, key="x-presenter", first_name="Paula",
                                 last_name="Presenter", role="presenter")
    projects = {
        "alpha": make_project(event, red, key="alpha", name="Alpha", presenters=[presenter]),
        "beta": make_project(event, blue, key="beta", name="Beta"),
        "gamma": make_project(event, red, key="gamma", name="Gamma"),
        "delta": make_project(event, blue, key="delta", name="Delta"),
    }
    sessions = {
        "alpha-1": make_session(event, projects["alpha"], key="alpha-1", round=r1, room=room_a,
                                table_number=1),
        "beta-1": make_session(event, projects["beta"], key="beta-1", round=r1, room=room_b,
                               table_number=1),
        "gamma-2": make_session(event, projects["gamma"], key="gamma-2", round=r2, room=room_a,
                                table_number=1),
        "alpha-2": make_session(event, projects["alpha"], key="alpha-2", round=r2, room=room_b,
                                table_number=1),
    }
    slot = make_workshop_slot(event, "14:30", key="ateliers")
    workshops = {
        "w1": make_workshop(event, slot=slot, room=room_a, key="w1", name="Atelier Un",
                            capacity=capacity),
        "w2": make_workshop(event, slot=slot, room=room_b, key="w2", name="Atelier Deux",
                            capacity=capacity),
    }
    names = ["Ada", "Bruno", "Chloé", "David", "Emma", "Farid", "Gaëlle", "Hugo"]
    persons = []
    for i in range(people - 1):
        person = make_participant(event, key=f"p{i + 1}", first_name=names[i % len(names)],
                                  last_name=f"Test{i + 1}")
        order = ["alpha", "beta", "gamma", "delta"]
        person.project_wishes = [ProjectWish(project=projects[order[(i + k) % 4]], rank=k)
                                 for k in range(2)]
        person.workshop_wishes = [WorkshopWish(workshop=workshops["w1" if i % 2 else "w2"],
                                               rank=0)]
        persons.append(person)
    db.session.commit()
    return World(event, {"a": room_a, "b": room_b}, [r1, r2], projects, sessions, workshops,
                 persons, presenter)


def import_example(shared_examples: Path, name: str = "restitution-2016.json") -> Event:
    from eventapp.exchange.operations import import_instance

    event = import_instance(json.loads((shared_examples / name).read_text()))
    db.session.commit()
    return event


def run_job_to_end(job_id: int, timeout: float = 120.0):
    """Wait for a thread job and return its row, fresh from the database."""
    from eventapp.scheduling import jobs
    from eventapp.scheduling.models import SolveJob

    assert jobs.wait_for_thread(job_id, timeout), "the solve thread did not end in time"
    db.session.expire_all()
    return db.session.get(SolveJob, job_id)


def solve_now(event: Event, time_limit_s: int = 20, change_penalty: int = 50):
    """Start a job through the operations (thread backend) and wait for its end."""
    from eventapp.scheduling import jobs, operations

    job = operations.start_solve(event, None, time_limit_s=time_limit_s,
                                 change_penalty=change_penalty)
    db.session.commit()
    jobs.dispatch(job.id)
    return run_job_to_end(job.id)


def solve_and_accept(event: Event, **kwargs):
    from eventapp.scheduling import operations

    job = solve_now(event, **kwargs)
    assert job.has_schedule, (job.status, job.solver_status, job.error, job.solution)
    operations.accept_result(event, job)
    db.session.commit()
    return job


@pytest.fixture(autouse=True)
def join_solve_threads():
    """No solve thread may outlive its test (the tables are emptied after each test)."""
    yield
    from eventapp.scheduling import jobs

    for job_id in list(jobs._threads):
        jobs.wait_for_thread(job_id, 60)
