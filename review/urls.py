"""Every route of the review app, under the namespace review: the reviewer's pages
(review/views.py, review/mosaic_views.py), the queues, approval, release, assignment and audit pages
(review/queues.py), the due list (review/due.py) and the triage queue (review/triage_queue.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from review import due, mosaic_views, queues, rules_views, triage_queue, views

app_name = "review"

urlpatterns: list[URLPattern] = [
    path("", queues.home, name="home"),
    # the review page and the reviewer's actions (review/views.py)
    path("reviews/<int:pk>/", views.detail, name="detail"),
    path("reviews/<int:pk>/portions/<int:order>/decision/", views.decide, name="decide"),
    path("reviews/<int:pk>/portions/<int:order>/undo/", views.undo, name="undo"),
    path("reviews/<int:pk>/header/release/", views.release_header, name="release_header"),
    path("reviews/<int:pk>/rest/release/", views.release_rest, name="release_rest"),
    path("reviews/<int:pk>/start/", views.start, name="start"),
    path("reviews/<int:pk>/submit/", views.submit, name="submit"),
    path("reviews/<int:pk>/refer/", views.refer, name="refer"),
    path("reviews/<int:pk>/resume/", views.resume, name="resume"),
    path("reviews/<int:pk>/referral/", views.answer_referral, name="answer_referral"),
    path(
        "reviews/<int:pk>/portions/<int:order>/apply/<int:decision>/",
        views.apply_decided_elsewhere,
        name="apply_decided_elsewhere",
    ),
    # mosaic findings (review/mosaic_views.py)
    path("reviews/<int:pk>/mosaic/excise/", mosaic_views.excise_everywhere, name="mosaic_excise"),
    path("reviews/<int:pk>/mosaic/acknowledge/", mosaic_views.acknowledge, name="mosaic_acknowledge"),
    # queues, approval, release, assignment, audit (review/queues.py)
    path("reviews/", queues.queue, name="queue"),
    path("approvals/", queues.approvals, name="approvals"),
    path("approvals/<int:pk>/", queues.approval, name="approval"),
    path("reviews/<int:pk>/approve/", queues.approve, name="approve"),
    path("reviews/<int:pk>/return/", queues.return_review, name="return"),
    path("releases/", queues.releases, name="releases"),
    path("reviews/<int:pk>/release/", queues.release, name="release"),
    path("assign/", queues.assign, name="assign"),
    path("reviews/<int:pk>/assign/", queues.assign_one, name="assign_one"),
    path("audit/", queues.audit_log, name="audit"),
    path("due/", due.due_list, name="due"),
    path("triage/", triage_queue.queue, name="triage"),
    # redaction rules (review/rules_views.py)
    path("rules/", rules_views.rule_list, name="rules"),
    path("rules/new/", rules_views.rule_new, name="rule_new"),
    path("rules/<int:pk>/", rules_views.rule_detail, name="rule"),
    path("rules/<int:pk>/edit/", rules_views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/switch/", rules_views.rule_switch, name="rule_switch"),
    path("reviews/<int:pk>/rules/apply/", rules_views.review_apply, name="rule_apply"),
    path("reviews/<int:pk>/rules/everywhere/", rules_views.review_everywhere, name="rule_everywhere"),
]
