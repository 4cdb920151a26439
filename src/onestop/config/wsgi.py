from django.core.wsgi import get_wsgi_application

from onestop.config.settings_module import configure

configure()
application = get_wsgi_application()
