"""The sandbox flow's pure pieces: reading the Messaging webhook's media and naming files."""

from conversations_ops.webhooks.parsing import EventParams
from conversations_ops.webhooks.sandbox.flow import Inbound, inbound_of
from conversations_ops.webhooks.sandbox.media import InboundMedia, filename_for, inbound_media

URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME" + "a" * 32


def test_media_are_read_up_to_num_media_in_order():
    params = EventParams(
        [
            ("NumMedia", "2"),
            ("MediaUrl1", "u1"),
            ("MediaContentType1", "image/png"),
            ("MediaUrl0", "u0"),
            ("MediaContentType0", "image/jpeg"),
            ("MediaUrl2", "ignored"),
        ]
    )
    assert inbound_media(params) == [InboundMedia("u0", "image/jpeg"), InboundMedia("u1", "image/png")]


def test_without_num_media_the_urls_count_and_nonsense_is_no_media():
    assert inbound_media(EventParams([("MediaUrl0", "u0")])) == [InboundMedia("u0", "")]
    assert inbound_media(EventParams([("NumMedia", "x")])) == []
    assert inbound_media(EventParams([("NumMedia", "0")])) == []


def test_a_twilio_media_url_gets_an_extension_from_the_type():
    assert filename_for(InboundMedia(URL, "image/jpeg"), "image/jpeg") == f"ME{'a' * 32}.jpg"
    assert filename_for(InboundMedia("https://x.example/door.png", ""), "image/png") == "door.png"
    assert filename_for(InboundMedia(URL, ""), "application/x-unknown") == f"ME{'a' * 32}"


def test_one_message_per_media_and_one_without_media():
    params = EventParams([("MessageSid", "MM1"), ("From", "whatsapp:+1"), ("To", "whatsapp:+2"), ("Body", "")])
    inbound = inbound_of(params)
    assert (inbound.unique_name, inbound.parts) == ("sandbox-MM1", 1)
    assert Inbound("MM1", "a", "b", "", "", [InboundMedia("u", "")] * 3).parts == 3
