from django.apps import AppConfig

from shuangsuiji.planning.task_listeners import register_task_listener
from shuangsuiji.planning.task_pages import register_task_page_provider


class OversightConfig(AppConfig):
    name = "shuangsuiji.oversight"
    label = "oversight"
    verbose_name = "统计与报表"

    def ready(self) -> None:
        from shuangsuiji.oversight import signals  # noqa: F401  (connects the summary and snapshot invalidation)
        from shuangsuiji.oversight.task_archive import on_task_moved, task_archive_page_card

        # a completed task gets its 总结报告 and 归档包 in the background, shown on the task page (issue 20 item 4)
        register_task_listener("oversight.task_archive", on_task_moved)
        register_task_page_provider("oversight.task_archive", task_archive_page_card)
