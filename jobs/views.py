"""The jobs pages: upload a batch of cables, start an export, the list, each job's page, its
progress as JSON (polled by static/js/jobs.js) and the export zip's download.

Every view checks who may use it: uploads need review.open_review (supervisors), exports
review.release_review (releasers); a job is fetched only through access_job(), which gives 404 for
another user's job (supervisors see every upload) and for one above the user's clearance.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import requires
from accounts.models import AnyUser, clearance_rank
from audit import log as audit
from cables.paging import page_of
from jobs.forms import UploadForm
from jobs.models import Job, jobs_dir, max_upload_bytes
from jobs.tasks import job_event, run_job

JOB_PERMISSIONS = tuple(Job.PERMISSION.values())


class SizeLimit(FileUploadHandler):
    """Stops storing an upload as soon as it passes the limit (the form then says so)."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None) -> None:  # type: ignore[no-untyped-def]
        # The request as a whole is larger than the file plus the form's few fields could be.
        if content_length > self.limit + 64 * 1024:
            self.exceeded = True

    def new_file(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().new_file(*args, **kwargs)
        if self.exceeded:
            raise SkipFile

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def access_job(user: AnyUser, pk: int) -> Job:
    """The job, if the user may see it: 404 for a missing job and for someone else's."""
    if not user.is_authenticated or not any(user.has_perm(p) for p in JOB_PERMISSIONS):
        raise Http404("No such job")
    job = Job.objects.visible_to(user).select_related("created_by").filter(pk=pk).first()
    if job is None:
        raise Http404("No such job")
    return job


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    if not any(request.user.has_perm(p) for p in JOB_PERMISSIONS):
        raise PermissionDenied("This page is for supervisors and releasers.")
    jobs = Job.objects.visible_to(request.user).select_related("created_by")
    page, query = page_of(request, jobs)
    return render(request, "jobs/job_list.html", {"page": page, "query": query})


@csrf_exempt  # checked below, once the size limit is in place (Django's documented order)
@login_required
@requires("review.open_review", "supervisors")
def upload(request: HttpRequest) -> HttpResponse:
    limit = max_upload_bytes()
    handler = SizeLimit(request, limit)
    request.upload_handlers.insert(0, handler)
    return _upload(request, handler)


@csrf_protect
def _upload(request: HttpRequest, handler: SizeLimit) -> HttpResponse:
    limit_mb = handler.limit / 1024**2
    form = UploadForm()
    if request.method == "POST":
        files = request.FILES  # parses the body, through the handler
        too_large = ""
        if handler.exceeded:
            too_large = f"The file is larger than the upload limit of {limit_mb:,.0f} MB."
        form = UploadForm(request.POST, files, too_large=too_large)
        if form.is_valid():
            job = start_upload(request.user, form.cleaned_data["file"])
            messages.success(request, f"Upload of {job.upload_name} queued as job {job.pk}.")
            return redirect("jobs:detail", job.pk)
    status = 400 if form.is_bound else 200
    return render(request, "jobs/job_upload.html", {"form": form, "limit_mb": limit_mb}, status=status)


@transaction.atomic
def start_upload(user: AnyUser, file: UploadedFile) -> Job:
    """Store the upload, create the job, enqueue its task and audit it, in one transaction (the
    worker sees the task only once all of it is committed)."""
    name = Path(file.name or "upload").name
    # The job is at the uploader's clearance: the worker stores nothing above it, and only
    # those cleared for it see the job (its name may be anything the uploader may know).
    rank = clearance_rank(user)
    job = Job.objects.create(kind=Job.Kind.UPLOAD, created_by=user, upload_name=name, rank=rank)
    folder = jobs_dir() / str(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / ("upload" + Path(name).suffix.lower())
    digest = hashlib.sha256()
    with open(stored, "wb") as out:
        for chunk in file.chunks():
            digest.update(chunk)
            out.write(chunk)
    job.upload_path = str(stored)
    job.task_id = str(run_job.enqueue(job.pk).id)
    job.save(update_fields=["upload_path", "task_id"])
    job_event(
        user, "jobs.upload", job, rank, after={"name": name, "bytes": file.size, "sha256": digest.hexdigest()}
    )
    return job


@require_POST
@login_required
@requires("review.release_review", "releasers")
def export(request: HttpRequest) -> HttpResponse:
    job = start_export(request.user)
    messages.success(request, f"Export of released copies queued as job {job.pk}.")
    return redirect("jobs:detail", job.pk)


@transaction.atomic
def start_export(user: AnyUser) -> Job:
    job = Job.objects.create(kind=Job.Kind.EXPORT, created_by=user, rank=clearance_rank(user))
    job.result_path = str(jobs_dir() / str(job.pk) / f"declass-export-{job.pk}.zip")
    job.task_id = str(run_job.enqueue(job.pk).id)
    job.save(update_fields=["result_path", "task_id"])
    audit.record(user, "jobs.export", job, after={"clearance_rank": clearance_rank(user)})
    return job


@require_GET
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_job(request.user, pk)
    return render(
        request, "jobs/job_detail.html", {"job": job, "can_download": can_download(request.user, job)}
    )


@require_GET
@login_required
def status(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(access_job(request.user, pk).to_dict())


def can_download(user: AnyUser, job: Job) -> bool:
    """Only the releaser who ran the export, still a releaser, still cleared for what it holds."""
    return (
        job.kind == Job.Kind.EXPORT
        and job.status == Job.Status.FINISHED
        and job.created_by_id == user.pk
        and user.has_perm("review.release_review")
        and clearance_rank(user) >= job.counts.get("max_rank", 0)
    )


@require_GET
@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    job = access_job(request.user, pk)
    if not can_download(request.user, job):
        raise Http404("No such export")
    try:
        f = open(job.result_path, "rb")  # noqa: SIM115 (FileResponse closes it)
    except OSError:
        raise Http404("The export file is no longer there") from None
    with transaction.atomic():
        job_event(request.user, "jobs.download", job, job.rank, after={"file": Path(job.result_path).name})
    return FileResponse(f, as_attachment=True, filename=Path(job.result_path).name)
