from django.apps import AppConfig

from shuangsuiji.planning.task_guards import register_task_guard
from shuangsuiji.planning.task_pages import register_task_page_provider


class DrawsConfig(AppConfig):
    name = "shuangsuiji.draws"
    label = "draws"

    def ready(self) -> None:
        # the guard reads models: imported once the apps are ready
        from shuangsuiji.draws.task_guards import draws_task_guard, draws_task_page

        register_task_guard("draws", draws_task_guard)
        register_task_page_provider("draws", draws_task_page)
        from shuangsuiji.draws.commitments import register_leaf_kinds

        register_leaf_kinds()  # ssj audit verify recomputes the draw and match leaves of the transparency log
