from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "shuangsuiji.inspections"
    label = "inspections"
    verbose_name = "检查与后续处置"

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        # Pillow refuses images above twice this many pixels; uploads.reencode_image also checks explicitly.
        Image.MAX_IMAGE_PIXELS = int(settings.EVIDENCE_MAX_IMAGE_PIXELS)
