# The per-user setting that turns the review page's single-key shortcuts off (issue 20, WCAG 2.1.4).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0010_review_release_refused"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="single_key_shortcuts",
            field=models.BooleanField(
                default=True,
                help_text="Keys such as r (release) and w (withhold) act on the current portion. Turn them off "
                "if you use speech input or press keys by accident; every action stays on its button.",
                verbose_name="Single-key shortcuts on the review page",
            ),
        ),
    ]
