from django.apps import AppConfig

from shuangsuiji.audit.renamed_events import register_renamed_event


class DeadlinesConfig(AppConfig):
    name = "shuangsuiji.deadlines"
    label = "deadlines"
    verbose_name = "期限与督办"

    def ready(self) -> None:
        from shuangsuiji.deadlines import events, signals  # noqa: F401  (signals: the calendar cache invalidation)

        for name, old_name in events.RENAMED.items():
            register_renamed_event(name, old_name=old_name, object_types=events.SUPERVISION_OBJECT_TYPES)
