from django.apps import AppConfig

from shuangsuiji.planning.task_guards import register_task_guard


class InspectionsConfig(AppConfig):
    name = "shuangsuiji.inspections"
    label = "inspections"
    verbose_name = "检查与后续处置"

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        # Pillow refuses images above twice this many pixels; uploads.reencode_image also checks explicitly.
        Image.MAX_IMAGE_PIXELS = int(settings.EVIDENCE_MAX_IMAGE_PIXELS)

        # the guard reads models: imported once the apps are ready
        from shuangsuiji.inspections.task_guards import inspections_task_guard

        register_task_guard("inspections", inspections_task_guard)
