from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "shuangsuiji.supervision"
    label = "supervision"
    verbose_name = "上级专项督查与交叉检查"
