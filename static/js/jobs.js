// The job page: poll the job's JSON status every two seconds, move the progress bar, and reload
// the page once the job is done (the final summary and failures are rendered by the server).
const section = document.getElementById("job");
const POLL_MS = 2000;

async function poll() {
  let job;
  try {
    const response = await fetch(section.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(response.statusText);
    job = await response.json();
  } catch {
    setTimeout(poll, POLL_MS * 3);
    return;
  }
  document.getElementById("job-progress").value = job.percent;
  document.getElementById("job-percent").textContent = `${job.percent}%`;
  document.getElementById("job-status").textContent = job.status;
  document.getElementById("job-summary").textContent = job.summary;
  if (job.status !== "queued") document.getElementById("job-waiting")?.remove();
  if (job.done || (job.stalled && !document.getElementById("job-stalled"))) {
    window.location.reload();
  } else {
    setTimeout(poll, POLL_MS);
  }
}

if (section) setTimeout(poll, POLL_MS);
