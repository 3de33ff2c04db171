"""Events: the day itself (name, date, venue, timezone) and the organisers' event list."""
