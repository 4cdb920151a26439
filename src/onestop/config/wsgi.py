from django.core.wsgi import get_wsgi_application

from onestop.config.settings_module import configure
from onestop.config.startup import freeze_heap

configure()
application = get_wsgi_application()
freeze_heap()
