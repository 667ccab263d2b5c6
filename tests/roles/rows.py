"""Staff roles' rows: the numbers they see and a failed outbox operation."""

from django.contrib.contenttypes.models import ContentType

from conversations_ops.models import OperationState, SyncOperation

SENDER = "whatsapp:+14155238886"
CUSTOMER = "whatsapp:+15017122661"
COURIER = "+4915123456789"


def failed_operation(row, operation: str) -> SyncOperation:
    return SyncOperation.objects.create(
        content_type=ContentType.objects.get_for_model(row),
        object_id=row.pk,
        operation=operation,
        ordering_key=f"test:{row.pk}",
        state=OperationState.FAILED,
        attempts=8,
        last_error_code=20003,
        last_error_message=f"Twilio refused the change for {CUSTOMER}",
    )
