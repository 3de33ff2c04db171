"""The day's programme: themes and colours, rooms, projects, timeline, rounds, sessions,
workshops; the organiser's builder and the public programme page."""
