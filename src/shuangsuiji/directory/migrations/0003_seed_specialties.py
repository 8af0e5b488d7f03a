from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from shuangsuiji.directory.specialties import SPECIALTIES

    Specialty = apps.get_model("directory", "Specialty")
    for order, (code, name) in enumerate(SPECIALTIES, start=1):
        Specialty.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_importjob")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
