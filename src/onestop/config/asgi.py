from django.core.asgi import get_asgi_application

from onestop.config.settings_module import configure
from onestop.config.startup import freeze_heap

configure()
application = get_asgi_application()
freeze_heap()
