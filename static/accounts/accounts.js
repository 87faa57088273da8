// Progressive enhancement for the account pages; every page works without it.
// A Print button (hidden until this script can make it work) and confirmations before actions
// that cannot be undone from the page (new code, new password, removing a learner).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
document.querySelectorAll("form[data-confirm]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
});
