from django.apps import AppConfig


class ConversationsOpsConfig(AppConfig):
    name = "conversations_ops"
    verbose_name = "Conversations Ops"
