from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shuangsuiji.accounts"
    label = "accounts"

    def ready(self) -> None:
        from shuangsuiji.accounts import checks, signals  # noqa: F401  (registers checks and receivers)
