"""gunicorn for Jildi behind nginx (deploy/nginx.conf): ``gunicorn -c deploy/gunicorn.conf.py portal.wsgi``.

gunicorn has no request-body limit of its own: nginx (client_max_body_size) and Django
(MAX_REQUEST_BYTES, checked by Content-Length before reading) refuse large bodies. What
gunicorn does limit is the request line and headers, set explicitly below.
"""

from __future__ import annotations

import multiprocessing
import os

# Loopback only: nothing but nginx may reach gunicorn, or X-Forwarded-For could be forged.
bind = os.getenv("GUNICORN_BIND", "127.0.0.1:8001")
# One process per core, two threads each (docs/SCALING.md, measured in `make bench`).
workers = int(os.getenv("WEB_CONCURRENCY", str(multiprocessing.cpu_count())))
threads = int(os.getenv("GUNICORN_THREADS", "2"))
timeout = 60
graceful_timeout = 30
keepalive = 5
# Header limits (gunicorn's defaults, stated so they are part of the deployment).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# X-Forwarded-Proto is believed only from nginx on this host.
forwarded_allow_ips = "127.0.0.1,::1"
# Recycle workers now and then (bounded memory growth).
max_requests = 1000
max_requests_jitter = 100
accesslog = "-"
errorlog = "-"
