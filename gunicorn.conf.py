"""gunicorn settings read from the repository root (gunicorn loads ./gunicorn.conf.py).

The access log masks personal links and calendar feed secrets (eventapp/access_log.py).
Command-line options still apply on top: see README, "Serving it for real".
"""

logger_class = "eventapp.access_log.MaskedGunicornLogger"
