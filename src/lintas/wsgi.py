import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lintas.settings")

application = get_wsgi_application()

# Each worker loads the application once: move what it loaded out of the cyclic collector's way, so collections
# during requests walk only what requests allocate (reference counting still frees it).
gc.freeze()
