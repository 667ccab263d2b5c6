"""The Media Content Service under /simulator/mcs/v1/ and message media under /simulator/api/."""

from django.urls import path, re_path

from simulator.api import media, numbers
from simulator.api.common import unknown_resource

MEDIA = "Services/<str:service_sid>/Media"

mcs_urlpatterns = [
    path(MEDIA, media.collection),
    path(f"{MEDIA}/<str:sid>", media.item),
    path(f"{MEDIA}/<str:sid>/Content", media.content),
    re_path(r"^.*$", unknown_resource),
]

api_urlpatterns = [
    path("2010-04-01/Accounts/<str:account_sid>/IncomingPhoneNumbers.json", numbers.collection),
    path("2010-04-01/Accounts/<str:account_sid>/Messages/<str:message_sid>/Media/<str:sid>", media.message_media),
    re_path(r"^.*$", unknown_resource),
]
