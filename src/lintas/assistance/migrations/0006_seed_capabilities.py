"""Placeholder capabilities for every national member and request type, marked not yet confirmed."""

from django.db import migrations

TYPES = ["stop_payment", "account_records", "subscriber_info", "preservation", "takedown", "locate_person",
         "statement", "return_funds", "general"]


def seed(apps, schema_editor):
    Agency = apps.get_model("agencies", "Agency")
    CountryCapability = apps.get_model("assistance", "CountryCapability")
    rows = [
        CountryCapability(agency=agency, request_type=kind, confirmed=False)
        for agency in Agency.objects.filter(kind="national_police")
        for kind in TYPES
    ]
    CountryCapability.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("assistance", "0005_country_capabilities"), ("agencies", "0002_seed_founding_members")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
