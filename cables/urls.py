from __future__ import annotations

from django.urls import path

from cables import views

app_name = "cables"

urlpatterns = [
    path("cables/", views.cable_list, name="list"),
    path("cables/<str:reference_id>/", views.cable_detail, name="detail"),
]
