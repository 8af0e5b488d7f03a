from django.apps import AppConfig

from shuangsuiji.planning.task_guards import register_task_guard


class DrawsConfig(AppConfig):
    name = "shuangsuiji.draws"
    label = "draws"

    def ready(self) -> None:
        # the guard reads models: imported once the apps are ready
        from shuangsuiji.draws.task_guards import draws_task_guard

        register_task_guard("draws", draws_task_guard)
