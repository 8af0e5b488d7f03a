#!/usr/bin/env bash
# Upgrade check: a database migrated and filled by an older commit migrates to this tree with its data kept.
#
#   bash scripts/check_migrate_from.sh <git-ref> [sqlite|postgresql]
#
# 1. exports <git-ref>'s src/ to a temporary folder, migrates a new database with it and writes a few rows of
#    every table whose model moved between apps (deadlines, notifications, 督办, 问责, calendar);
# 2. migrates the same database with this tree, then checks the rows (same ids and values), the renamed
#    content types, that `migrate --check` has nothing left and that the models read the old rows.
# PostgreSQL: database ssj_migcheck_<pid> on 127.0.0.1 (dropped at the end). Needs the project's .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
REF=${1:?usage: check_migrate_from.sh <git-ref> [sqlite|postgresql]}
ENGINE=${2:-sqlite}
PY=$PWD/.venv/bin/python
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
git archive "$REF" src | tar -x -C "$WORK"
export SSJ_VAR_DIR=$WORK/var SSJ_DB_ENGINE=$ENGINE DJANGO_SETTINGS_MODULE=shuangsuiji.settings
if [ "$ENGINE" = postgresql ]; then
  export SSJ_DB_NAME="ssj_migcheck_$(git rev-parse --abbrev-ref HEAD | tr -c "a-z0-9\n" _)_$$"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $SSJ_DB_NAME" >/dev/null
  trap 'psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $SSJ_DB_NAME" >/dev/null; rm -rf "$WORK"' EXIT
else
  export SSJ_SQLITE_PATH=$WORK/var/check.sqlite3
fi

echo "== migrate with $REF and write rows"
PYTHONPATH=$WORK/src "$PY" -m shuangsuiji.manage migrate --noinput -v 0
PYTHONPATH=$WORK/src "$PY" - <<'EOF'
import datetime, json, os
import django
django.setup()
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
import shuangsuiji
assert os.environ["PYTHONPATH"] in shuangsuiji.__file__, shuangsuiji.__file__  # really the old tree
from shuangsuiji.accounts.models import Organization, Region, User

M = lambda name: apps.get_model("oversight", name)
region = Region.objects.create(code="990000", name="迁移检查省", level="province")
org = Organization.objects.create(name="迁移检查卫生健康局", code="MIGCHECK", kind="health_bureau", region=region)
user = User.objects.create(username="migcheck", organization=org)
today = datetime.date(2026, 11, 25)
deadline = M("Deadline").objects.create(
    owner=org, organization=org, content_type=ContentType.objects.get_for_model(Organization), object_id=org.pk,
    kind="draw_confirmation", start_date=today, due_date=today + datetime.timedelta(days=7),
    remind_on=today, rule="迁移检查", subject_repr="迁移检查卫生健康局", responsible=user)
M("Notification").objects.create(recipient=user, deadline=deadline, kind="reminder", title="迁移检查提醒",
                                key="migcheck-1")
sup = M("Supervision").objects.create(owner=org, deadline=deadline, responsible=user)
sup.addressees.add(user)
M("Accountability").objects.create(owner=org, deadline=deadline, person=user, organization=org,
                                   what="迁移检查", due_date=today, late_workdays=3,
                                   trigger="overdue")
counts = {name: M(name).objects.count() for name in
          ["CalendarYear", "CalendarDay", "CalendarRevision", "DeadlineSettings", "Deadline", "Notification",
           "Supervision", "Accountability"]}
counts["addressees"] = sup.addressees.count()
counts["deadline_id"] = deadline.pk
json.dump(counts, open(os.environ["SSJ_VAR_DIR"] + "/before.json", "w"))
print("written:", counts)
EOF

echo "== migrate with this tree"
"$PY" -m shuangsuiji.manage migrate --noinput -v 1 | grep -E "Apply|No migrations" || true
"$PY" -m shuangsuiji.manage migrate --check -v 0
"$PY" -m shuangsuiji.manage makemigrations --check --dry-run -v 0
"$PY" - <<'EOF'
import json, os
import django
django.setup()
from django.contrib.contenttypes.models import ContentType
from shuangsuiji.deadlines import models as m

before = json.load(open(os.environ["SSJ_VAR_DIR"] + "/before.json"))
after = {name: getattr(m, name).objects.count() for name in
         ["CalendarYear", "CalendarDay", "CalendarRevision", "DeadlineSettings", "Deadline", "Notification",
          "Supervision", "Accountability"]}
deadline = m.Deadline.objects.get(pk=before["deadline_id"])
after["addressees"] = deadline.supervision.addressees.count()
after["deadline_id"] = deadline.pk
assert after == before, (before, after)
assert deadline.notifications.get().title == "迁移检查提醒"
assert deadline.accountability.what == "迁移检查"
assert deadline.subject is not None and deadline.subject.code == "MIGCHECK"
assert ContentType.objects.get_for_model(m.Deadline).app_label == "deadlines"
assert not ContentType.objects.filter(app_label="oversight", model="deadline").exists()
assert m.Deadline.objects.with_status(deadline.start_date).get(pk=deadline.pk).current_status
print("kept after the upgrade:", after)
EOF
echo "upgrade from $REF on $ENGINE: OK"
