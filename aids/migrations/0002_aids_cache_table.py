"""The table of the "aids" cache (settings.CACHES["aids"]: each cable's names and suggestions,
shared by every app server and worker), made here so that `migrate` alone sets up a database.
It is Django's own cache table, as `manage.py createcachetable` makes it."""

from django.core.management import call_command
from django.db import migrations

TABLE = "declass_aids_cache"  # settings.CACHES["aids"]["LOCATION"]


def create(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("aids", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
