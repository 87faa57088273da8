// Progressive enhancement only: every page works without this file.
// The language menu switches as soon as a choice is made (the button stays for keyboard users
// and for browsers without scripts).
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
