"""The day's programme: themes and colours, rooms, projects, timeline, rounds, sessions,
workshops, and how it is read (grid, catalogue, the public page's data). The builder that
edits it is ``eventapp/builder/``; the public pages are served by ``registration``."""
