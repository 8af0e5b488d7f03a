"""Seed the working-day calendar from the chinesecalendar package, the default time limits and the revision row."""

from django.db import migrations


def seed(apps, schema_editor):
    from shuangsuiji.deadlines.calendar import seed_from_package

    year_model = apps.get_model("oversight", "CalendarYear")
    day_model = apps.get_model("oversight", "CalendarDay")
    seed_from_package(year_model=year_model, day_model=day_model)
    apps.get_model("oversight", "CalendarRevision").objects.update_or_create(pk=1, defaults={"token": "seeded"})  # nosec B105
    settings_model = apps.get_model("oversight", "DeadlineSettings")
    if not settings_model.objects.filter(region__isnull=True).exists():
        settings_model.objects.create(region=None)


def unseed(apps, schema_editor):
    apps.get_model("oversight", "CalendarDay").objects.filter(source="chinesecalendar").delete()
    apps.get_model("oversight", "CalendarYear").objects.filter(source="chinesecalendar").delete()


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
