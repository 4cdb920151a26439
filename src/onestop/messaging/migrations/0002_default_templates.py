"""The shipped default templates (zh-Hans and en) for every event; edited ones are kept."""

from django.db import migrations


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    from onestop.messaging.defaults import templates_install

    templates_install(apps.get_model("messaging", "MessageTemplate"))


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
