from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shuangsuiji.api"
    label = "api"
