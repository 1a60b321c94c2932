"""Seed the fourteen founding members of the community."""

from django.db import migrations

FOUNDING_MEMBERS = [
    # Frozen here on purpose: a data migration must not change when code elsewhere does.
    ("knpa", "KNPA", "Korean National Police Agency", "national_police", "KR", ["ko"], "Asia/Seoul"),
    ("rmp", "RMP", "Royal Malaysia Police", "national_police", "MY", ["ms", "en"], "Asia/Kuala_Lumpur"),
    ("cnp", "CNP", "Cambodia National Police", "national_police", "KH", ["km"], "Asia/Phnom_Penh"),
    ("inp", "INP", "Indonesian National Police", "national_police", "ID", ["id"], "Asia/Jakarta"),
    ("pnp", "PNP", "Philippine National Police", "national_police", "PH", ["en", "fil"], "Asia/Manila"),
    ("rtp", "RTP", "Royal Thai Police", "national_police", "TH", ["th"], "Asia/Bangkok"),
    ("mps-vn", "MPS", "Ministry of Public Security of Viet Nam", "national_police", "VN", ["vi"], "Asia/Ho_Chi_Minh"),
    ("spf", "SPF", "Singapore Police Force", "national_police", "SG", ["en"], "Asia/Singapore"),
    ("rbpf", "RBPF", "Royal Brunei Police Force", "national_police", "BN", ["ms", "en"], "Asia/Brunei"),
    ("lao-mps", "LAO MPS", "Ministry of Public Security, Lao PDR", "national_police", "LA", ["lo"], "Asia/Vientiane"),
    ("mpf", "MPF", "Myanmar Police Force", "national_police", "MM", ["my"], "Asia/Yangon"),
    ("pntl", "PNTL", "National Police of Timor-Leste", "national_police", "TL", ["pt", "tet"], "Asia/Dili"),
    ("interpol", "INTERPOL", "International Criminal Police Organization", "international", "",
     ["en", "fr", "es", "ar"], "Europe/Paris"),
    ("aseanapol", "ASEANAPOL", "ASEANAPOL Secretariat", "secretariat", "", ["en"], "Asia/Kuala_Lumpur"),
]


def seed(apps, schema_editor):
    Agency = apps.get_model("agencies", "Agency")
    for code, short_name, name, kind, country, languages, time_zone in FOUNDING_MEMBERS:
        Agency.objects.update_or_create(
            code=code,
            defaults={
                "short_name": short_name,
                "name": name,
                "kind": kind,
                "country": country,
                "languages": languages,
                "time_zone": time_zone,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
