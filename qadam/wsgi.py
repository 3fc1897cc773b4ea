"""WSGI entry point for gunicorn."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qadam.settings")
application = get_wsgi_application()
# Everything loaded so far lives as long as the process: keep it out of the garbage
# collector's scans, which otherwise pause a request for ~100 ms now and then.
gc.freeze()
