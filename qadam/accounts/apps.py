from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "qadam.accounts"
    label = "accounts"
