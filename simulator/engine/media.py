"""Files in the simulated account: Media Content Service uploads and what phones send.

A phone's media has to be downloadable from the Messaging webhook's
MediaUrl, as on Twilio. The simulator never fetches a URL it is given (tests
run offline, and a stand-in that fetches any URL is a way into the network
it runs in): a phone that names a URL sends placeholder bytes of that
content type instead, a phone that sends a file sends the file.
"""

import base64
import mimetypes
from pathlib import PurePosixPath
from urllib.parse import urlparse

from django.conf import settings

from simulator import clock
from simulator.api.errors import TwilioError
from simulator.models import SimMedia
from simulator.sids import new_sid

MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's limit per media item
DEFAULT_CONTENT_TYPE = "application/octet-stream"

# Real (tiny) files for two common types, so a viewer opens them; any other
# type gets a line of text standing in for it.
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PLACEHOLDERS = {"image/png": _PNG, "application/pdf": _PDF}


def placeholder_bytes(content_type: str, url: str = "") -> bytes:
    """What a phone "sent" when only a URL was named: a stand-in of that type."""
    known = PLACEHOLDERS.get(content_type.split(";")[0].strip().lower())
    return known if known is not None else f"Simulated media ({content_type}) standing in for {url}\n".encode()


def guess_content_type(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or DEFAULT_CONTENT_TYPE


def filename_of(url: str) -> str:
    return PurePosixPath(urlparse(url).path).name if url else ""


def store(
    *,
    data: bytes,
    content_type: str,
    filename: str | None,
    service_sid: str = "",
    author: str = "system",
    message_sid: str = "",
) -> SimMedia:
    if not data:
        raise TwilioError(400, 20001, "The media is empty: send its bytes as the request body")
    if len(data) > MAX_BYTES:
        raise TwilioError(413, 20001, f"The media is larger than {MAX_BYTES} bytes")
    now = clock.now()
    return SimMedia.objects.create(
        sid=new_sid("ME"),
        service_sid=service_sid,
        message_sid=message_sid,
        author=author or "system",
        content_type=content_type or DEFAULT_CONTENT_TYPE,
        filename=filename or None,
        size=len(data),
        data=data,
        date_created=now,
        date_updated=now,
    )


def from_phone(*, url: str = "", content_type: str = "", data: bytes | None = None, filename: str = "") -> SimMedia:
    """A phone's attachment: the bytes it sent, or placeholder bytes for a named URL."""
    filename = filename or filename_of(url) or "media"
    content_type = content_type or guess_content_type(filename)
    body = data if data is not None else placeholder_bytes(content_type, url)
    return store(data=body, content_type=content_type, filename=filename)


def item(row: SimMedia) -> dict:
    """Twilio's media item inside a conversation message."""
    return {"sid": row.sid, "content_type": row.content_type, "filename": row.filename, "size": row.size}


def message_media_url(api_base: str, message_sid: str, media_sid: str) -> str:
    """Where Twilio serves a channel message's media (the Messaging webhook's MediaUrlN)."""
    return f"{api_base}/api/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages/{message_sid}/Media/{media_sid}"


def attach(media_sid: str, *, conversation, message_sid: str):
    """A conversation message takes an uploaded media: Twilio links them. None when unknown."""
    row = SimMedia.objects.filter(sid=media_sid).first()
    if row is None:
        return None
    row.channel_sid, row.message_sid, row.date_updated = conversation.sid, message_sid, clock.now()
    row.save(update_fields=["channel_sid", "message_sid", "date_updated"])
    return row
