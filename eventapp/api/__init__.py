"""The JSON API under /api/v1 (bearer tokens for organisers and staff, portal tokens for
participants); the views call the same operations as the HTML pages."""
