"""Session ratings get a random key, as their responses have: a counting key would order the anonymous answers by
when they were given (decision 0041). No answer exists yet (the survey arrives with this change), so the table is
made again rather than converted (PostgreSQL cannot cast a bigint key to a UUID)."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0002_nominations_attendance_materials_feedback_certificates"),
    ]

    operations = [
        migrations.DeleteModel(name="SessionRating"),
        migrations.CreateModel(
            name="SessionRating",
            fields=[
                (
                    "id",
                    models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False),
                ),
                ("rating", models.PositiveSmallIntegerField(verbose_name="rating")),
                (
                    "response",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ratings",
                        to="programmes.feedbackresponse",
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ratings",
                        to="programmes.programmesession",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("response", "session"), name="session_rating_unique"),
                    models.CheckConstraint(
                        condition=models.Q(("rating__gte", 1), ("rating__lte", 5)), name="session_rating_range"
                    ),
                ],
            },
        ),
    ]
