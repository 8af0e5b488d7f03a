from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "shuangsuiji.planning"
    label = "planning"

    def ready(self) -> None:
        # planning's own task-state guard first (the guards of draws, inspections, disclosure follow)
        from shuangsuiji.planning.services import tasks  # noqa: F401

        _register_mandatory_rule()


def _register_mandatory_rule() -> None:
    """The target page of the 名录库 (directory) shows which flags make a target 必查 under the bureau's rules."""
    # imported in ready(): both modules import models, which are not loaded when apps.py is imported
    from shuangsuiji.directory.flag_services import register_mandatory_rule
    from shuangsuiji.planning.rules import mandatory_rule_for

    register_mandatory_rule(mandatory_rule_for)
