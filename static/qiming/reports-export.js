// An export's progress page follows its job: the bar and the sentence update every two seconds
// and the download link appears when the file is ready. Without this script the page still
// works (a reload link). Loaded as a file: the site's CSP allows no inline script.
(() => {
  const panel = document.getElementById("export-progress");
  if (!panel || panel.dataset.finished === "1") return;
  const bar = document.getElementById("export-bar");
  const status = document.getElementById("export-status");
  const download = document.getElementById("export-download");
  let delay = 2000;

  async function poll() {
    try {
      const response = await fetch(panel.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const job = await response.json();
        bar.value = job.progress;
        bar.textContent = `${job.progress}%`;
        if (status.textContent.trim() !== job.text) status.textContent = job.text;
        if (job.done && job.download_url) {
          download.querySelector("a").href = job.download_url;
          download.hidden = false;
        }
        if (job.finished) return;
        delay = 2000;
      } else if (response.status === 404 || response.status === 403) {
        return; // the job is gone (cleaned up) or no longer ours: stop asking
      } else {
        delay = Math.min(delay * 2, 30000);
      }
    } catch (error) {
      delay = Math.min(delay * 2, 30000);
    }
    window.setTimeout(poll, delay);
  }
  window.setTimeout(poll, delay);
})();
