"""PostgreSQL: an index in the cable list's own order.

The list sorts by sent_at descending with the undated cables last (CableQuerySet.for_list).
PostgreSQL puts NULLs first in a descending order unless told otherwise, so the `cable_sent`
index (`-sent_at`, as Django writes it) cannot give that order: every list page, and every
search for a common word, sorted all the matching cables to show 50 (1.4 s for a word in half
of 251,287 cables). SQLite already sorts NULLs last in a descending order, so `cable_sent`
serves it there. Like `cable_sent`, the index carries reference_id (the tie-break) and
access_rank (the clearance, checked without reading the cable's row).
"""

from django.db import migrations

INDEX = "cable_list_order"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON cables_cable (sent_at DESC NULLS LAST, reference_id, access_rank)"
)


def statements(forward: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(CREATE if forward else f"DROP INDEX IF EXISTS {INDEX}")

    return run


class Migration(migrations.Migration):
    dependencies = [("cables", "0010_filter_menu_indexes")]
    operations = [migrations.RunPython(statements(True), statements(False))]
