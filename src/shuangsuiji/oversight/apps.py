from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "shuangsuiji.oversight"
    label = "oversight"
    verbose_name = "期限与督办"

    def ready(self) -> None:
        from shuangsuiji.oversight import signals  # noqa: F401  (connects the calendar cache invalidation)
