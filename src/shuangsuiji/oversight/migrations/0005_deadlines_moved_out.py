"""The calendar, deadline, notification, 督办 and 问责 models move to the deadlines app (issue 19).

State only: the tables are kept (``deadlines`` models use the same ``db_table``); ``deadlines.0001_initial``
adds the models to the deadlines app's state right after this migration.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("oversight", "0004_inspection_deadline_kinds"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Accountability"),
                migrations.DeleteModel(name="Supervision"),
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="Deadline"),
                migrations.DeleteModel(name="DeadlineSettings"),
                migrations.DeleteModel(name="CalendarDay"),
                migrations.DeleteModel(name="CalendarYear"),
                migrations.DeleteModel(name="CalendarRevision"),
            ],
            database_operations=[],
        ),
    ]
