"""The demo day (7 December 2016), loaded on first run and by ``flask load-demo``."""
