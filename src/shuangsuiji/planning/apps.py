from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "shuangsuiji.planning"
    label = "planning"

    def ready(self) -> None:
        # planning's own task-state guard first (the guards of draws, inspections, disclosure follow)
        from shuangsuiji.planning.services import tasks  # noqa: F401
