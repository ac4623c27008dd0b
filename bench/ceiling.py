"""The ceiling the portal's pages are compared with: a bare Flask app that reads 50 rows through
SQLAlchemy from the same database and renders them with Jinja, nothing else (no session, no
sign-in, no translations, no audit).

Served exactly like the portal, so gunicorn.conf.py (and its post_fork) applies unchanged:

    DATABASE_URL=... gunicorn -c gunicorn.conf.py -w 2 -b 127.0.0.1:8782 \
        'bench.ceiling:create_app()'
"""

import os

from flask import Flask, render_template_string
from sqlalchemy import select

from portal.extensions import db
from portal.models import Participant

ROWS = 50
PAGE = """<!doctype html>
<html lang="pl"><head><meta charset="utf-8"><title>Uczestnicy</title></head>
<body><main><h1>Uczestnicy</h1>
<table><thead><tr><th>Nazwisko</th><th>Imię</th><th>PESEL</th><th>Od</th></tr></thead>
<tbody>{% for p in people %}
<tr><td>{{ p.last_name }}</td><td>{{ p.first_name }}</td><td>{{ p.masked_pesel }}</td>
<td>{{ p.support_start or '' }}</td></tr>{% endfor %}
</tbody></table></main></body></html>"""


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    db.init_app(app)

    @app.get("/")
    def people():
        rows = db.session.scalars(select(Participant).order_by(Participant.id).limit(ROWS)).all()
        return render_template_string(PAGE, people=rows)

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app
