"""Log lines never carry a whole phone number.

Installed on every handler by the LOGGING setting (config/settings/base.py), so
it also covers records from Django, django-q2 and twilio-python. A number in the
message, its arguments or its traceback (Twilio's error messages quote bindings;
a logged URL carries `To=whatsapp%3A%2B...`) is masked like the admin masks it:
whatsapp:+49•••••1234. Logs are read by more people, for longer, than any page.
"""

import logging

from conversations_ops.masking import mask_numbers_in

_FORMATTER = logging.Formatter()


class MaskPhoneNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - arguments that do not fit the message: keep both, readable
            message = f"{record.msg} (arguments that did not fit: {record.args!r})"
        # The message is formatted here, once, so no argument reaches a handler unmasked.
        record.msg, record.args = mask_numbers_in(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_numbers_in(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_numbers_in(record.stack_info)
        return True
