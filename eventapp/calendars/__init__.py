"""Calendars: personal iCal feeds and files, update emails' attachments, organiser feeds."""
