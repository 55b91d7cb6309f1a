"""Shared REST API plumbing: errors, pagination, throttles, permissions, language, docs.

Endpoints live next to their app (``<app>/api.py`` + ``<app>/serializers.py``) and
are routed in ``portal/api_urls.py``; business logic stays in services/selectors.
"""
