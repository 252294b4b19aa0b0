from django.apps import AppConfig


class OptimlabConfig(AppConfig):
    name = "optimlab"
