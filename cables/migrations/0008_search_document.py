"""PostgreSQL: one full-text document per cable, stored, in place of an expression index per
portion (cables/search.py says why). SQLite keeps its FTS5 table (0003).

The column is PostgreSQL's alone and not a field of the model: nothing in Django reads or writes
it. Triggers keep it in the same transaction as every write of a subject or a portion, whichever
way it is made (the ORM, COPY, raw SQL):

- a new cable starts with its subject's words (BEFORE INSERT), and with those of the text given
  in `search_portions`: bulk ingest gives there the texts of all the portions it is about to
  insert, so that each cable's document is made once, in its INSERT (an UPDATE of every cable
  afterwards would write each row and its dozen index entries twice). The column is only a way
  in: the trigger empties it, so it is NULL in every stored row;
- new portions add their words to their cables', once per statement, unless the transaction says
  that their cables' documents already hold them (`declass.portions_indexed`, which ingest sets
  around its own INSERT of the portions: cables/search.py, pause_insert_triggers);
- a changed subject, or a changed or deleted portion, makes its cable's document again from
  what is stored (words cannot be taken out of a document: another portion may hold them too).

The document is stripped of positions: a query is a set of words, never a phrase.

The SQL is written out rather than imported, so that this migration stays what it was; the
expressions must match cables/search.py (tests/cables/test_search.py checks that they do).
"""

from django.db import migrations

# 'english' without stop words, and the separators of cables/search.py (PG_SEPARATORS), each
# made a space by a replace() of its own: ten passes of replace() over a cable's text take an
# eighth of the time of one translate(), which handles each character in turn.
CONFIG = "declass_english"
SEPARATORS = ".-/@:_'<>&"
SPACED = "coalesce(subject, '') || ' ' || coalesce(portions, '')"
for _c in SEPARATORS:
    SPACED = "replace(%s, '%s', ' ')" % (SPACED, _c.replace("'", "''"))

POSTGRESQL = [
    "ALTER TABLE cables_cable ADD COLUMN search_document tsvector, ADD COLUMN search_portions text",
    # The words of a subject and of portion texts (either may be NULL).
    f"""CREATE FUNCTION declass_document(subject text, portions text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT strip(to_tsvector('{CONFIG}'::regconfig, {SPACED}))
    $$""",
    # A cable's document made again from what is stored.
    """CREATE FUNCTION declass_cable_document(cable bigint, subject text) RETURNS tsvector
    LANGUAGE sql STABLE AS $$
        SELECT declass_document(subject,
            (SELECT string_agg(text, ' ' ORDER BY "order") FROM cables_portion WHERE cable_id = cable))
    $$""",
    """CREATE FUNCTION declass_cable_written() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            NEW.search_document := declass_document(NEW.subject, NEW.search_portions);
        ELSE
            NEW.search_document := declass_cable_document(NEW.id, NEW.subject);
        END IF;
        NEW.search_portions := NULL;
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER cables_search_cable_insert BEFORE INSERT ON cables_cable"
    " FOR EACH ROW EXECUTE FUNCTION declass_cable_written()",
    "CREATE TRIGGER cables_search_cable_update BEFORE UPDATE OF id, subject, search_portions ON cables_cable"
    " FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.subject IS DISTINCT FROM NEW.subject"
    " OR NEW.search_portions IS NOT NULL)"
    " EXECUTE FUNCTION declass_cable_written()",
    """CREATE FUNCTION declass_portions_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE cables_cable c
        SET search_document = coalesce(c.search_document, declass_document(c.subject, NULL)) || added.document
        FROM (
            SELECT cable_id, declass_document(NULL, string_agg(text, ' ' ORDER BY "order")) AS document
            FROM new_portions GROUP BY cable_id
        ) AS added
        WHERE c.id = added.cable_id;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER cables_search_portion_insert AFTER INSERT ON cables_portion"
    " REFERENCING NEW TABLE AS new_portions FOR EACH STATEMENT"
    " WHEN (current_setting('declass.portions_indexed', true) IS DISTINCT FROM 'on')"
    " EXECUTE FUNCTION declass_portions_inserted()",
    # UPDATE and DELETE: each trigger sees its own transition tables. An update that leaves the
    # texts and their cables as they were (the consistency keys, say) leaves the documents alone.
    """CREATE FUNCTION declass_portions_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE cables_cable c SET search_document = declass_cable_document(c.id, c.subject)
        WHERE c.id IN (
            SELECT unnest(ARRAY[o.cable_id, n.cable_id])
            FROM old_portions o JOIN new_portions n ON n.id = o.id
            WHERE n.text IS DISTINCT FROM o.text OR n.cable_id IS DISTINCT FROM o.cable_id
        );
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER cables_search_portion_update AFTER UPDATE ON cables_portion"
    " REFERENCING OLD TABLE AS old_portions NEW TABLE AS new_portions"
    " FOR EACH STATEMENT EXECUTE FUNCTION declass_portions_updated()",
    """CREATE FUNCTION declass_portions_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE cables_cable c SET search_document = declass_cable_document(c.id, c.subject)
        WHERE c.id IN (SELECT cable_id FROM old_portions);
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER cables_search_portion_delete AFTER DELETE ON cables_portion"
    " REFERENCING OLD TABLE AS old_portions FOR EACH STATEMENT EXECUTE FUNCTION declass_portions_deleted()",
    # Cables stored before this migration.
    "UPDATE cables_cable c SET search_document = declass_cable_document(c.id, c.subject)",
    "CREATE INDEX cables_cable_search_document ON cables_cable USING gin (search_document)",
    "DROP INDEX IF EXISTS cables_portion_search",
    "DROP INDEX IF EXISTS cables_cable_search",
    "ANALYZE cables_cable",
]

# Back to 0003's expression indexes (their definition is 0003's).
DOCUMENT_0003 = "to_tsvector('declass_english'::regconfig, translate({column}, '.-/@:_''<>&', '%s'))" % (" " * 10)
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS cables_search_portion_delete ON cables_portion",
    "DROP TRIGGER IF EXISTS cables_search_portion_update ON cables_portion",
    "DROP TRIGGER IF EXISTS cables_search_portion_insert ON cables_portion",
    "DROP TRIGGER IF EXISTS cables_search_cable_update ON cables_cable",
    "DROP TRIGGER IF EXISTS cables_search_cable_insert ON cables_cable",
    "DROP FUNCTION IF EXISTS declass_portions_deleted()",
    "DROP FUNCTION IF EXISTS declass_portions_updated()",
    "DROP FUNCTION IF EXISTS declass_portions_inserted()",
    "DROP FUNCTION IF EXISTS declass_cable_written()",
    "DROP FUNCTION IF EXISTS declass_cable_document(bigint, text)",
    "DROP FUNCTION IF EXISTS declass_document(text, text)",
    "ALTER TABLE cables_cable DROP COLUMN IF EXISTS search_document, DROP COLUMN IF EXISTS search_portions",
    f"CREATE INDEX IF NOT EXISTS cables_cable_search ON cables_cable USING gin ({DOCUMENT_0003.format(column='subject')})",
    f"CREATE INDEX IF NOT EXISTS cables_portion_search ON cables_portion USING gin ({DOCUMENT_0003.format(column='text')})",
]


def statements(forward: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return  # SQLite's FTS5 table (0003) stays as it is
        if forward:
            # Inside the migration's transaction: index builds refuse pending deferred checks.
            schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in POSTGRESQL if forward else POSTGRESQL_REVERSE:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("cables", "0007_cable_sent_covers_access_rank")]
    operations = [migrations.RunPython(statements(True), statements(False))]
