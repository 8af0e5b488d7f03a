from django.apps import AppConfig


class DrawsConfig(AppConfig):
    name = "shuangsuiji.draws"
    label = "draws"
