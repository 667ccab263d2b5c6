"""The Media Content Service (/simulator/mcs/v1/...) and phones' message media (/simulator/api/2010-04-01/...).

MCS takes the file as the raw request body with its Content-Type (what
Twilio documents: `curl --data-binary @photo.png -H "Content-Type: image/png"`)
or as a multipart form with one file part. The raw form has no place for a
file name in Twilio's documentation: the simulator reads one from a
`Content-Disposition: ...; filename="..."` header or a `Filename` query
parameter, and answers `filename: null` without either.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.http import parse_header_parameters

from simulator.api.common import by_method, created, ok, resource_missing, twilio_endpoint
from simulator.api.params import is_sid
from simulator.engine import media as media_engine
from simulator.engine import services
from simulator.models import SimConversation, SimMedia
from simulator.sids import iso


def _known_service(service_sid: str) -> bool:
    if not is_sid(service_sid, "IS"):
        return False
    return services.exists(service_sid) or SimConversation.objects.filter(chat_service_sid=service_sid).exists()


def _service_media(request, service_sid: str, sid: str) -> SimMedia:
    row = SimMedia.objects.filter(sid=sid, service_sid=service_sid).first() if is_sid(sid, "ME") else None
    if row is None or not _known_service(service_sid):
        raise resource_missing(request)
    return row


def mcs_json(row: SimMedia) -> dict:
    """Twilio's MCS answer; its `url` and `links` are paths relative to the MCS host."""
    path = f"/v1/Services/{row.service_sid}/Media/{row.sid}"
    return {
        "sid": row.sid,
        "service_sid": row.service_sid,
        "date_created": iso(row.date_created),
        "date_upload_updated": iso(row.date_created),
        "date_updated": iso(row.date_updated),
        "channel_sid": row.channel_sid or None,
        "message_sid": row.message_sid or None,
        "author": row.author,
        "size": row.size,
        "content_type": row.content_type,
        "filename": row.filename,
        "category": "media",
        "is_multipart_upstream": False,
        "url": path,
        "links": {"content": f"{path}/Content", "content_direct_temporary": f"{path}/Content/Direct"},
    }


def _upload(request):
    """(bytes, content type, filename) of a raw or multipart upload."""
    if request.content_type == "multipart/form-data":
        upload = next(iter(request.FILES.values()), None)
        if upload is None:
            return b"", "", None
        return upload.read(), upload.content_type or "", upload.name
    _, disposition = parse_header_parameters(request.headers.get("Content-Disposition", ""))
    filename = disposition.get("filename") or request.GET.get("Filename") or None
    return request.body, request.content_type or "", filename


@twilio_endpoint
def collection(request, service_sid):
    return by_method(request, {"POST": _create}, service_sid)


def _create(request, service_sid):
    if not _known_service(service_sid):
        raise resource_missing(request)
    data, content_type, filename = _upload(request)
    row = media_engine.store(data=data, content_type=content_type, filename=filename, service_sid=service_sid)
    return created(mcs_json(row))


@twilio_endpoint
def item(request, service_sid, sid):
    return by_method(request, {"GET": lambda r: ok(mcs_json(_service_media(r, service_sid, sid)))})


@twilio_endpoint
def content(request, service_sid, sid):
    return by_method(request, {"GET": lambda r: _bytes(_service_media(r, service_sid, sid))})


def _bytes(row: SimMedia) -> HttpResponse:
    response = HttpResponse(bytes(row.data), content_type=row.content_type)
    if row.filename:
        response["Content-Disposition"] = f'inline; filename="{row.filename}"'
    return response


@twilio_endpoint
def message_media(request, account_sid, message_sid, sid):
    """A phone's media where the Messaging webhook's MediaUrlN points (Basic auth, as Twilio
    asks when "HTTP Basic authentication for media" is on)."""
    return by_method(request, {"GET": _message_media}, account_sid, message_sid, sid)


def _message_media(request, account_sid, message_sid, sid):
    row = SimMedia.objects.filter(sid=sid, message_sid=message_sid).first() if is_sid(sid, "ME") else None
    if row is None or account_sid != settings.TWILIO_ACCOUNT_SID:
        raise resource_missing(request)
    return _bytes(row)
