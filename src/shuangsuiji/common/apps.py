from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "shuangsuiji.common"
    label = "common"
