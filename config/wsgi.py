"""
WSGI config for config project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

django_application = get_wsgi_application()

# Repeat anonymous requests for public pages are answered from this worker's copy of the response cache's answer,
# before Django (config/worker_copies.py); everything else goes to Django unchanged.
from config.worker_copies import PublicCopies  # noqa: E402 - needs the apps loaded above

application = PublicCopies(django_application)
