from tests.factories import make_event, make_room


def test_home_page_lists_events(client, app):
    make_event(name="Journée de restitution")
    from eventapp.extensions import db

    db.session.commit()
    response = client.get("/")
    assert response.status_code == 200
    assert "Journée de restitution" in response.get_data(as_text=True)


def test_manage_requires_sign_in(client):
    response = client.get("/manage/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_room_capacity_cannot_be_negative(app):
    import pytest
    from sqlalchemy.exc import IntegrityError

    event = make_event()
    with pytest.raises(IntegrityError):
        make_room(event, capacity=-1)
