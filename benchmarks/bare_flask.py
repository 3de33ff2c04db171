"""The ceiling the check-in load benchmark compares with: a bare Flask endpoint.

``benchmarks.checkin_load`` serves this app with the same gunicorn set-up (``gthread``,
the same processes and threads) and sends it the same kind of request (a small JSON
POST, answered with JSON) from the same number of connections: what the framework and
the server alone answer on this machine at this moment, so that a scan rate can be read
as a fraction of it whatever the load of the machine.
"""

from __future__ import annotations

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/scan")
def scan():
    body = request.get_json()
    return jsonify({"nonce": body.get("nonce"), "result": "ok"})
