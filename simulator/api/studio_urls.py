"""Studio v2, as served under /simulator/studio/v2/ (the account's flows, read only)."""

from django.urls import path, re_path

from simulator.api import studio
from simulator.api.common import unknown_resource

urlpatterns = [
    path("Flows", studio.collection),
    path("Flows/<str:sid>", studio.item),
    re_path(r"^.*$", unknown_resource),
]
