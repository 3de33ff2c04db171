"""The organiser's programme builder: events, themes, rooms, projects, presenters, rounds,
workshops and sessions (see :mod:`eventapp.builder.views`)."""
