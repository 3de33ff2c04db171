"""Seating participants: assignments, solve jobs, review and publication."""
