from django.core.asgi import get_asgi_application

from onestop.config.settings_module import configure

configure()
application = get_asgi_application()
