"""People attending an event (participants, presenters, speakers) and their wishes."""
