"""Organiser and staff accounts: sign-in, roles, the create-user command."""
