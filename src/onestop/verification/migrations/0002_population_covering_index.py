"""PostgreSQL only: look-ups of the population register become index-only scans.

The unique index on ``id_number_hash`` is complemented by one that also carries ``name_hash`` and
``status`` (all a check reads), and the ``varchar_pattern_ops`` twin Django adds for LIKE queries
is dropped: nobody runs LIKE on a keyed hash, and every index slows the bulk load of millions of
rows. Other databases keep the plain unique index.
"""

from django.db import migrations

TABLE = "verification_populationrecord"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname LIKE %s",
            [TABLE, "%id_number_hash%_like"],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS verification_population_lookup ON {TABLE} "
            "(id_number_hash) INCLUDE (name_hash, status)"
        )


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS verification_population_lookup")


class Migration(migrations.Migration):
    dependencies = [("verification", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
