// The regrade page follows its batch live (Qiming.poll, poll.js): the bar and the sentence
// update, and the page reloads once the batch is done to show which scores changed. Without
// this script the page still works (a reload link).
(() => {
  const panel = document.getElementById("regrade-progress");
  if (!panel || panel.dataset.done === "1") return;
  const bar = document.getElementById("regrade-bar");
  const status = document.getElementById("regrade-status");

  window.Qiming.poll(panel.dataset.progressUrl, (summary) => {
    bar.value = summary.percent;
    bar.textContent = `${summary.percent}%`;
    if (status.textContent.trim() !== summary.text) status.textContent = summary.text;
    if (summary.done) window.location.reload();
    return summary.done;
  });
})();
