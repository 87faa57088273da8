// Follow a JSON status URL until it says it is finished: every two seconds while the server
// answers, backing off to 30 s while it does not, and stopping when the thing is gone (404) or
// no longer the asker's (403). `handle(json)` updates the page and returns true when done.
// Loaded as a file before the page's own script: the site's CSP allows no inline script.
window.Qiming = window.Qiming || {};
window.Qiming.poll = (url, handle) => {
  let delay = 2000;

  async function poll() {
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        if (handle(await response.json())) return;
        delay = 2000;
      } else if (response.status === 404 || response.status === 403) {
        return;
      } else {
        delay = Math.min(delay * 2, 30000);
      }
    } catch (error) {
      delay = Math.min(delay * 2, 30000);
    }
    window.setTimeout(poll, delay);
  }
  window.setTimeout(poll, delay);
};
