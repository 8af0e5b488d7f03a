from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "shuangsuiji.oversight"
    label = "oversight"
