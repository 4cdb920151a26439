"""Drop the plain indexes on RegisterDocument.number_hash and .holder_mobile_hash (and their
PostgreSQL pattern-ops twins).

The model has asked for no such indexes (``LookupHashField(db_index=False)``) since 0001, but that
migration recorded ``db_index=True`` (the field defaults to it, so the autodetector does not see
the difference). Lookups by number go through ``unique_register_document`` (doc_type,
number_hash); nothing looks documents up by mobile. At provincial scale the four indexes cost
about 0.9 GB each per 10 million documents and slow every import down."""

from django.db import migrations, models

COLUMNS = ("number_hash", "holder_mobile_hash")


def drop_hash_indexes(apps, schema_editor):
    document = apps.get_model("messaging", "RegisterDocument")
    table = document._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        found = schema_editor.connection.introspection.get_constraints(cursor, table)
    for name, info in found.items():
        if (
            len(info["columns"]) == 1
            and info["columns"][0] in COLUMNS
            and info["index"]
            and not info["unique"]
            and not info["primary_key"]
        ):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create_hash_indexes(apps, schema_editor):
    document = apps.get_model("messaging", "RegisterDocument")
    for column in COLUMNS:
        schema_editor.add_index(
            document, models.Index(fields=[column], name=f"regdoc_{column}_idx")
        )


class Migration(migrations.Migration):
    dependencies = [("messaging", "0003_sweep_indexes")]

    operations = [migrations.RunPython(drop_hash_indexes, create_hash_indexes)]
