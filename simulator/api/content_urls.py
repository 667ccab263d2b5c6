"""Content v1, as served under /simulator/content/v1/."""

from django.urls import path, re_path

from simulator.api import approvals, content
from simulator.api.common import unknown_resource

urlpatterns = [
    path("Content", content.collection),
    path("Content/<str:sid>", content.item),
    path("Content/<str:sid>/ApprovalRequests", approvals.fetch),
    path("Content/<str:sid>/ApprovalRequests/whatsapp", approvals.create_whatsapp),
    path("ContentAndApprovals", approvals.content_and_approvals),
    re_path(r"^.*$", unknown_resource),
]
