"""The staff inbox's indexes per filter (bench/bench_inbox.py, 1,000,000 cases).

Open views, PostgreSQL only like ``case_inbox_urgency`` (0005; SQLite has no NULLS LAST in an
index): the inbox order after the state (``case_inbox_state_urgency``: "submitted" cases have
no promised due yet and sort last, so that filter passed every other open case first, 30 ms)
or after the item version (``case_inbox_version_urgency``: the planner assumed an item's cases
spread evenly along the inbox order and walked it, 30-65 ms). History views: a unit's cases
(``case_unit_newest``), the terminal states without the open cases (``case_done_newest``), and
``case_newest`` again with INCLUDE columns, so that the page's ids come from an index-only scan.
"""

from django.db import migrations, models

OPEN = ~models.Q(number="") & ~models.Q(
    state__in=["closed", "refused", "revoked", "terminated", "withdrawn"]
)
URGENCY_INDEXES = {
    "case_inbox_state_urgency": "state",
    "case_inbox_version_urgency": "item_version",
}


def urgency_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    """The expression must stay exactly ``cases.selectors.urgency_rank()``."""
    if schema_editor.connection.vendor != "postgresql":
        return
    case = apps.get_model("cases", "Case")
    for name, leading in URGENCY_INDEXES.items():
        index = models.Index(
            models.F(leading),
            models.Case(
                models.When(warning_level="red", then=models.Value(0)),
                models.When(warning_level="yellow", then=models.Value(1)),
                default=models.Value(2),
                output_field=models.IntegerField(),
            ),
            models.F("promised_due_at").asc(nulls_last=True),
            models.F("submitted_at").asc(),
            models.F("id").asc(),
            name=name,
            condition=OPEN,
        )
        schema_editor.add_index(case, index)


def drop_urgency_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for name in URGENCY_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("cases", "0006_inbox_history_indexes"),
        ("catalogue", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("number", ""), _negated=True),
                fields=["handling_unit", "-submitted_at", "-id"],
                include=("state",),
                name="case_unit_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(
                    models.Q(("number", ""), _negated=True),
                    ("state__in", ["closed", "refused", "revoked", "terminated", "withdrawn"]),
                ),
                fields=["-submitted_at", "-id"],
                include=("handling_unit", "state"),
                name="case_done_newest",
            ),
        ),
        migrations.RemoveIndex(model_name="case", name="case_newest"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("number", ""), _negated=True),
                fields=["-submitted_at", "-id"],
                include=("handling_unit", "state"),
                name="case_newest",
            ),
        ),
        migrations.RunPython(urgency_indexes, drop_urgency_indexes),
    ]
