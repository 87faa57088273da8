// An export's progress page follows its job (Qiming.poll, poll.js): the bar and the sentence
// update and the download link appears when the file is ready. Without this script the page
// still works (a reload link).
(() => {
  const panel = document.getElementById("export-progress");
  if (!panel || panel.dataset.finished === "1") return;
  const bar = document.getElementById("export-bar");
  const status = document.getElementById("export-status");
  const download = document.getElementById("export-download");

  window.Qiming.poll(panel.dataset.statusUrl, (job) => {
    bar.value = job.progress;
    bar.textContent = `${job.progress}%`;
    if (status.textContent.trim() !== job.text) status.textContent = job.text;
    if (job.done && job.download_url) {
      download.querySelector("a").href = job.download_url;
      download.hidden = false;
    }
    return job.finished;
  });
})();
