"""Peak memory of the upload worker on two hostile uploads (issue 12, finding 4): target < 300 MB.

    .venv/bin/python bench/upload_memory.py [--members 60] [--csv-mb 100]

1. A zip of `--members` members of 9.9 MB of cable text each (a real header, then one paragraph
   running on: a 2 MB upload that unpacks to 600 MB).
2. A cables.csv of `--csv-mb` MB whose second row opens a quoted field and never closes it.

Each is uploaded into a fresh temporary SQLite database (jobs.views.start_upload, as the page
does), then the real worker (`manage.py jobs_worker --batch`) runs it in a subprocess of its own;
the peak resident memory of that process (getrusage of the child) is printed with the job's
outcome. Exits non-zero when either peak reaches 300 MB or a job does not end as expected.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 300
QUIET = ["--no-reload", "--verbosity", "0"]
MEMBER_BYTES = 9_900_000
HEADER = (ROOT / "tests" / "fixtures" / "ingest" / "09TOKYO101.txt").read_text().split("SCHIEFFER")[0]
LINE = "Japan will send observers to joint exercises as part of its step-by-step increase.\n"


def member_text(n: int) -> bytes:
    lines = (MEMBER_BYTES - len(HEADER) - 200) // len(LINE)
    body = f"¶4. (C) Cooperation item {n} follows.\n" + LINE * lines
    return (HEADER + body + "\nSCHIEFFER\n").encode()


def build_zip(path: Path, members: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for n in range(members):
            archive.writestr(f"cables/09TOKYO{1000 + n}.txt", member_text(n))


def build_csv(path: Path, megabytes: int) -> None:
    good = HEADER.replace('"', '""')
    with open(path, "w", encoding="utf-8") as f:
        f.write(f'1,"2009-04-19 22:51","09TOKYO101","Embassy Tokyo","CONFIDENTIAL","","{good}","SCHIEFFER"\n')
        f.write('2,"2009-04-20 10:00","09TOKYO102","Embassy Tokyo","CONFIDENTIAL","","header","')
        while f.tell() < megabytes * 1_000_000:
            f.write(LINE * 1000)  # the body's quote never closes


def child(command: str, *args: str) -> str:
    """Run this script's --child step (Django set up there) and return its stdout."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", command, *args], check=True, capture_output=True, text=True
    )
    return done.stdout


def worker_peak_mb(env: dict[str, str]) -> tuple[float, float]:
    """Run the worker until the queue is empty; its peak RSS (MB) and wall time (s)."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "jobs_worker", "--batch", "--no-startup-delay", *QUIET],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"the worker exited with {process.returncode}")
    return usage.ru_maxrss / 1024, time.monotonic() - started  # Linux: kilobytes


def run_child(command: str, args: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.files import File
    from django.core.management import call_command

    from jobs.models import Job
    from jobs.views import start_upload
    from tests.conftest import make_user

    if command == "migrate":
        call_command("migrate", verbosity=0)
        from accounts.roles import SUPERVISOR

        make_user("bench", SUPERVISOR)
    elif command == "upload":
        from django.contrib.auth.models import User

        with open(args[0], "rb") as f:
            job = start_upload(User.objects.get(username="bench"), File(f, name=Path(args[0]).name))
        print(job.pk)
    elif command == "outcome":
        job = Job.objects.get(pk=int(args[0]))
        print(json.dumps({"status": job.status, "summary": job.summary(), "failures": job.failures[:3]}))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--csv-mb", type=int, default=100)
    parser.add_argument("--child", nargs="+")
    options = parser.parse_args()
    if options.child:
        run_child(options.child[0], options.child[1:])
        return 0

    misses = []
    with tempfile.TemporaryDirectory(prefix="declass-bench-") as tmp:
        folder = Path(tmp)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "DECLASS_JOBS_DIR": str(folder / "jobs"),
            "DECLASS_MAX_UPLOAD_MB": "1000",
        }
        os.environ.update(env)
        child("migrate")
        cases = [
            (f"zip of {options.members} x 9.9 MB", folder / "members.zip", build_zip, options.members),
            (f"{options.csv_mb} MB CSV, open quote", folder / "cables.csv", build_csv, options.csv_mb),
        ]
        for label, path, build, size in cases:
            build(path, size)
            job_id = child("upload", str(path)).strip()
            peak, seconds = worker_peak_mb(env)
            outcome = json.loads(child("outcome", job_id))
            ok = peak < TARGET_MB and outcome["status"] == "finished"
            print(
                f"{label:36} upload {path.stat().st_size / 1e6:6.1f} MB  worker peak RSS {peak:6.1f} MB "
                f"({'ok' if ok else 'MISS'}, target < {TARGET_MB} MB)  {seconds:5.0f} s  {outcome['summary']}"
            )
            for where, reason in outcome["failures"]:
                print(f"    {where}: {reason}")
            if not ok:
                misses.append(label)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
