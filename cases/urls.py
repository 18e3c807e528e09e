"""Case URLs (cases/views.py), under /cases/."""

from __future__ import annotations

from django.urls import include, path

from cases import views

app_name = "cases"

# One consultation of a case, under /cases/<pk>/consultations/<cid>/.
consultation = [
    path("", views.consultation, name="consultation"),
    path("package.pdf", views.consultation_package, {"fmt": "pdf"}, name="consultation_pdf"),
    path("package.json", views.consultation_package, {"fmt": "json"}, name="consultation_json"),
    path("answer/", views.answer_file, name="answer_file"),
    path("answer-by-hand/", views.answer_by_hand, name="answer_by_hand"),
]

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.new, name="new"),
    path("figures/", views.annual, name="figures"),
    path("figures.csv", views.annual_csv, name="figures_csv"),
    path("figures.json", views.annual_json, name="figures_json"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/update/", views.update, name="update"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/hold/", views.hold, name="hold"),
    path("<int:pk>/resume/", views.resume, name="resume"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/attach/", views.attach, name="attach"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/documents/<int:doc>/review-again/", views.review_again, name="review_again"),
    path("<int:pk>/consultations/send/", views.send_consultation, name="send_consultation"),
    path("<int:pk>/consultations/<int:cid>/", include(consultation)),
    path("<int:pk>/vaughn-index.csv", views.vaughn_index, {"fmt": "csv"}, name="vaughn_csv"),
    path("<int:pk>/vaughn-index.pdf", views.vaughn_index, {"fmt": "pdf"}, name="vaughn_pdf"),
    path("<int:pk>/letter.pdf", views.letter_pdf, name="letter_pdf"),
]
