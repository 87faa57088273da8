// The regrade page follows its batch live: the bar and the sentence update every two seconds,
// and the page reloads once the batch is done to show which scores changed. Without this
// script the page still works (a reload link).
(() => {
  const panel = document.getElementById("regrade-progress");
  if (!panel || panel.dataset.done === "1") return;
  const bar = document.getElementById("regrade-bar");
  const status = document.getElementById("regrade-status");
  let delay = 2000;

  async function poll() {
    try {
      const response = await fetch(panel.dataset.progressUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const summary = await response.json();
        bar.value = summary.percent;
        bar.textContent = `${summary.percent}%`;
        if (status.textContent.trim() !== summary.text) status.textContent = summary.text;
        if (summary.done) {
          window.location.reload();
          return;
        }
        delay = 2000;
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
