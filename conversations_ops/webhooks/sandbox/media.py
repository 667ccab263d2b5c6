"""A sandbox message's attachments, carried into the conversation.

A Messaging webhook names each file by URL (MediaUrlN, on api.twilio.com,
behind Basic auth); a Conversations message takes a Media Content Service
SID instead. So each file is downloaded and uploaded again: the step the
guide's sandbox Function left out (docs/twilio-reference.md).
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from conversations_ops.twilio import gateway

# Twilio sends at most 10 media per inbound message.
MAX_MEDIA = 10


@dataclass(frozen=True)
class InboundMedia:
    url: str
    content_type: str  # as the webhook announced it (MediaContentTypeN)


def inbound_media(params) -> list[InboundMedia]:
    """MediaUrl0..N-1 with their types; NumMedia when present, else as many URLs as there are."""
    try:
        count = min(int(params.get("NumMedia") or 0), MAX_MEDIA)
    except ValueError:
        count = 0
    count = count or sum(1 for n in range(MAX_MEDIA) if params.get(f"MediaUrl{n}"))
    return [
        InboundMedia(url=params.get(f"MediaUrl{n}"), content_type=params.get(f"MediaContentType{n}"))
        for n in range(count)
        if params.get(f"MediaUrl{n}")
    ]


def filename_for(media: InboundMedia, content_type: str) -> str:
    """Twilio's media URLs end with the ME sid and no extension: add one from the type."""
    name = PurePosixPath(urlsplit(media.url).path).name or "media"
    if PurePosixPath(name).suffix:
        return name
    extension = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ""
    return f"{name}{extension}"


def media_carry(*, media: InboundMedia, chat_service_sid: str) -> str:
    """Downloads one file from Twilio and uploads it to the conversation's service: its ME sid.

    Raises GatewayError (the caller says which step failed)."""
    downloaded_type, data = gateway.media_download(url=media.url)
    # The webhook's type is what WhatsApp declared; the download's header is a fallback.
    content_type = media.content_type or downloaded_type
    return gateway.media_upload(
        chat_service_sid=chat_service_sid,
        content_type=content_type,
        filename=filename_for(media, content_type),
        data=data,
    )
