# Issue 16: the approval queue reads stored conflict flags instead of computing them per request.

from django.db import migrations, models


def flag_pending(apps, schema_editor):
    """Flag the decisions of reviews already submitted and not yet released (later ones are
    flagged at submit and at each release). The current code does the work: on a new database
    there is nothing to flag."""
    states = ["pending_approval", "approved", "release_refused"]
    Review = apps.get_model("review", "Review")
    if not Review.objects.filter(state__in=states).exists():
        return
    from review.consistency import flag_release_conflicts
    from review.models import Decision

    flag_release_conflicts(Decision.objects.filter(review__state__in=states))


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0014_triage_to_aids"),
    ]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="release_conflict_rank",
            field=models.SmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(fields=["decided_by", "-decided_at", "-id"], name="decision_decided_by"),
        ),
        migrations.RunPython(flag_pending, migrations.RunPython.noop),
    ]
