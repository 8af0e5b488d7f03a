from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "shuangsuiji.deadlines"
    label = "deadlines"
    verbose_name = "期限与督办"

    def ready(self) -> None:
        from shuangsuiji.deadlines import signals  # noqa: F401  (connects the calendar cache invalidation)
