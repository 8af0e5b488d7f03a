from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "shuangsuiji.oversight"
    label = "oversight"
    verbose_name = "统计与报表"

    def ready(self) -> None:
        from shuangsuiji.oversight import signals  # noqa: F401  (connects the summary and snapshot invalidation)
