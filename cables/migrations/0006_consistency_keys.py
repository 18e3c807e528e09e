"""Consistency keys on portions (cables/consistency.py): the fingerprint of the normalised text and
four MinHash band keys, each band with a partial index. Portions stored before get their keys here,
in batches of BATCH portions read in id order (2.5 million portions: a few minutes); the indexes
are built after the backfill, which is faster than keeping them up to date row by row."""

from typing import Any

from django.db import migrations, models

from cables import consistency

BATCH = 5000


def fill_keys(connection: Any, batch: int = BATCH) -> int:
    """Compute the keys of every portion that may have some; returns how many got keys."""
    kinds = ", ".join(f"'{k}'" for k in sorted(consistency.KINDS))
    labels = ", ".join(f"'{label}'" for label in sorted(consistency.HEADER_LABELS))
    select = (
        "SELECT id, kind, label, text FROM cables_portion WHERE id > %s AND "
        f"(kind IN ({kinds}) OR (kind = 'header' AND label IN ({labels}))) ORDER BY id LIMIT %s"
    )
    update = (
        "UPDATE cables_portion SET fingerprint = %s, band0 = %s, band1 = %s, band2 = %s, band3 = %s "
        "WHERE id = %s"
    )
    last, filled = 0, 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(select, [last, batch])
            rows = cursor.fetchall()
            if not rows:
                return filled
            last = rows[-1][0]
            updates = []
            for pk, kind, label, text in rows:
                keys = consistency.keys_for(kind, label, text)
                if keys.fingerprint is not None:
                    updates.append((*keys.as_row(), pk))
            if updates:
                cursor.executemany(update, updates)
            filled += len(updates)


def backfill(apps: Any, schema_editor: Any) -> None:
    fill_keys(schema_editor.connection)


def _index(band: str) -> models.Index:
    return models.Index(condition=models.Q((f"{band}__isnull", False)), fields=[band], name=f"portion_{band}")


class Migration(migrations.Migration):
    dependencies = [
        ("cables", "0005_review_due"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name="portion", name=name, field=models.BigIntegerField(blank=True, null=True)
            )
            for name in ("fingerprint", "band0", "band1", "band2", "band3")
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        *(
            migrations.AddIndex(model_name="portion", index=_index(band))
            for band in ("band0", "band1", "band2", "band3")
        ),
    ]
