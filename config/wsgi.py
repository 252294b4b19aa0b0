import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Django imports the URLconf, and with it every view module (Matplotlib, the API schema), on the
# first request. Importing it here means gunicorn's master does it once before forking, so workers
# start ready to answer rather than each spending a second of CPU on its first request.
url_patterns = get_resolver().url_patterns
