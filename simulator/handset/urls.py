from django.urls import path

from simulator.handset import views

urlpatterns = [
    path("", views.handset_page, name="handset"),
]
