// The learner page in a preview: the notebook cards' "Open the notebook" links lead to the
// notebook's preview instead of the learner's notebook page (where a check would be stored), and
// the breadcrumb's lesson link stays on this preview. Without this file those card links are
// hidden (authoring.css) and the banner lists the notebook previews.
(() => {
  "use strict";
  const data = document.getElementById("preview-notebooks");
  const links = data ? JSON.parse(data.textContent) : {};
  Object.entries(links).forEach(([exerciseId, url]) => {
    const link = document.getElementById(`exercise-${exerciseId}-open`);
    if (link) link.href = url;
  });
  const current = document.querySelector('.breadcrumb a[aria-current="page"]');
  if (current) current.href = window.location.pathname;
  document.documentElement.classList.add("js");
  document.body.classList.add("preview-js");
})();
