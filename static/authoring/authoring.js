// Progressive enhancement for the authoring pages; every page works without this file.
// - Lesson bodies (and any textarea with a preview box) are previewed as the teacher types: the
//   server renders the Markdown exactly as learners get it, a short pause after the last key.
// - Lists of options, items, groups and pairs get "Add" buttons (Django formsets' empty row).
// - Deleting asks first; a validation running on the workers is followed until it ends.
(() => {
  "use strict";
  document.documentElement.classList.add("js");

  const csrfToken = (element) => {
    const form = element.closest("form");
    const input = (form || document).querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  // --- Markdown previews -----------------------------------------------------------------------
  document.querySelectorAll(".md-preview[data-preview-of]").forEach((preview) => {
    const source = document.getElementById(preview.dataset.previewOf);
    if (!source || !window.fetch) return;
    let timer = null;
    let sent = 0;
    const refresh = async () => {
      const number = ++sent;
      const body = new FormData();
      body.append("text", source.value);
      try {
        const response = await fetch(preview.dataset.previewUrl, {
          method: "POST",
          body,
          headers: { "X-CSRFToken": csrfToken(source) },
          credentials: "same-origin",
        });
        if (!response.ok || number !== sent) return;
        // Sanitised on the server (courses.markdown); the page's CSP forbids inline script too.
        preview.innerHTML = await response.text();
      } catch (error) {
        // Offline: the Preview button still works once the connection is back.
      }
    };
    source.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 400);
    });
  });
  document.querySelectorAll("[data-nojs-preview]").forEach((button) => {
    if (document.querySelector(".md-preview[data-preview-of]")) button.hidden = true;
  });

  // --- Adding rows to a list -------------------------------------------------------------------
  // "Group 3" / "Group 3: Fruit", in the page's language (the words come from the page).
  const groupsList = document.querySelector('fieldset[data-list="categories"]');
  const groupLabel = (number, name) => {
    const format = name ? groupsList.dataset.groupNamed : groupsList.dataset.groupLabel;
    return format.replace("%(number)s", String(number)).replace("%(name)s", name.slice(0, 60));
  };

  document.querySelectorAll("fieldset[data-list]").forEach((list) => {
    const button = list.querySelector("[data-add-row]");
    const template = list.querySelector("template[data-empty-row]");
    const total = list.querySelector(`input[name="${list.dataset.prefix}-TOTAL_FORMS"]`);
    const max = list.querySelector(`input[name="${list.dataset.prefix}-MAX_NUM_FORMS"]`);
    if (!button || !template || !total) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      const index = Number(total.value);
      if (max && index >= Number(max.value)) return;
      const html = template.innerHTML
        .replaceAll("__prefix__", String(index))
        .replaceAll("__num__", String(index + 1));
      const holder = document.createElement("div");
      holder.innerHTML = html;
      const row = holder.firstElementChild;
      list.querySelector("[data-rows]").appendChild(row);
      total.value = String(index + 1);
      if (list.dataset.list === "categories") addGroupOption(index);
      const first = row.querySelector("input[type=text], textarea, select");
      if (first) first.focus();
    });
  });

  // Sorting into groups: each item's "Belongs in" menu offers every row of the groups list.
  function groupSelects() {
    const selects = [...document.querySelectorAll('select[name^="items-"][name$="-group"]')];
    const template = document.querySelector('fieldset[data-list="items"] template[data-empty-row]');
    if (template) selects.push(...template.content.querySelectorAll("select"));
    return selects;
  }
  function addGroupOption(index) {
    groupSelects().forEach((select) => {
      const option = document.createElement("option");
      option.value = String(index);
      option.textContent = groupLabel(index + 1, "");
      option.dataset.group = "new";
      select.appendChild(option);
    });
  }
  if (groupsList) {
    groupsList.addEventListener("input", (event) => {
      const match = /^categories-(\d+)-text_en$/.exec(event.target.name || "");
      if (!match) return;
      const index = match[1];
      groupSelects().forEach((select) => {
        const option = select.querySelector(`option[value="${index}"]`);
        if (option) option.textContent = groupLabel(Number(index) + 1, event.target.value.trim());
      });
    });
  }

  // --- Confirmations ---------------------------------------------------------------------------
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // --- A validation running on the workers -----------------------------------------------------
  const run = document.getElementById("validation-run");
  if (run && run.dataset.final === "false" && window.fetch) {
    const poll = async () => {
      try {
        const response = await fetch(run.dataset.statusUrl, { credentials: "same-origin" });
        const data = await response.json();
        if (data.final) {
          window.location.reload();
          return;
        }
        const status = document.getElementById("validation-status");
        if (status && data.total) {
          status.firstChild.textContent = `${data.status_label} · ${data.progress} / ${data.total} `;
        }
      } catch (error) {
        // Try again at the next tick.
      }
      window.setTimeout(poll, 2000);
    };
    window.setTimeout(poll, 2000);
  }
})();
