"""Import and export of events in the ``speed-dating-instance/1`` exchange format."""
