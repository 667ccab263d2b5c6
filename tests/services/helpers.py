from django.contrib.contenttypes.models import ContentType

from conversations_ops.models import SyncOperation


def ops_of(row) -> list[SyncOperation]:
    """The outbox rows aimed at `row`, oldest first."""
    content_type = ContentType.objects.get_for_model(type(row))
    return list(SyncOperation.objects.filter(content_type=content_type, object_id=row.pk).order_by("pk"))


def key_of(conversation_or_address) -> str:
    return f"{conversation_or_address._meta.model_name}:{conversation_or_address.local_id}"
