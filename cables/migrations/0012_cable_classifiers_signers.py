"""The people named in a cable's Classified By line and in its signature block, stored.

The parser has read them since issue 19 (`ParsedCable.classifiers`, `.signers`); ingest now stores
them. Cables stored before this migration get them from their own stored text, parsed again here
(about 2 ms a cable: some eight minutes for the whole release of 251,287 cables), in batches of
500, so nothing is stored for a cable but what its text gives.
"""

from importlib import import_module

from django.db import migrations, models

BATCH = 500


def restore_search_triggers(apps, schema_editor):
    """SQLite adds a column with a default by copying the table into a new one, which drops the
    table's triggers: put back the full-text triggers of cables_cable (as 0005_review_due does)."""
    import_module("cables.migrations.0005_review_due").restore_search_triggers(apps, schema_editor)


def fill_from_text(apps, schema_editor):
    from cables.parser import ParseError, parse_cable

    Cable = apps.get_model("cables", "Cable")
    db = schema_editor.connection.alias
    changed = []
    cables = Cable.objects.using(db).only("pk", "reference_id", "text").order_by("pk")
    for cable in cables.iterator(chunk_size=BATCH):
        try:
            parsed = parse_cable(cable.text, known_id=cable.reference_id)
        except ParseError:
            continue  # ingest refused such text; nothing to fill
        if parsed.classifiers or parsed.signers:
            cable.classifiers, cable.signers = list(parsed.classifiers), list(parsed.signers)
            changed.append(cable)
        if len(changed) >= BATCH:
            Cable.objects.using(db).bulk_update(changed, ["classifiers", "signers"])
            changed = []
    if changed:
        Cable.objects.using(db).bulk_update(changed, ["classifiers", "signers"])


class Migration(migrations.Migration):
    dependencies = [("cables", "0011_list_order_index_postgresql")]

    operations = [
        migrations.AddField(
            model_name="cable",
            name="classifiers",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="cable",
            name="signers",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(restore_search_triggers, migrations.RunPython.noop),
        migrations.RunPython(fill_from_text, migrations.RunPython.noop, elidable=True),
    ]
