"""WSGI entry point, as gunicorn serves it: gunicorn interviewprep.wsgi."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewprep.settings")

application = get_wsgi_application()
