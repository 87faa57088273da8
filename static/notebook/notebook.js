// The notebook page's behaviour: autosaved drafts, Check and Submit without reloading, live
// status, per-test feedback and outputs, loading answers from an uploaded notebook.
// Progressive enhancement: without this file the page's plain forms do all of it with reloads.
// Outputs arrive already sanitised by the server; text goes in as text, never as HTML, and the
// page's Content-Security-Policy forbids inline scripts besides.
(() => {
  "use strict";
  const form = document.getElementById("notebook-form");
  const stringsNode = document.getElementById("notebook-strings");
  if (!form || !stringsNode || !window.fetch) return;
  document.documentElement.classList.add("js-notebook");

  const S = JSON.parse(stringsNode.textContent);
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const draftStatus = document.getElementById("draft-status");
  const runStatus = document.getElementById("run-status");
  const runDetails = document.getElementById("run-details");
  const uploadForm = document.getElementById("upload-form");
  const uploadStatus = document.getElementById("upload-status");
  const answers = () => Array.from(form.querySelectorAll("textarea[data-grade-id]"));

  const fill = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (_, key) => (key in values ? String(values[key]) : ""));
  const el = (tag, attrs = {}, text) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  };

  async function send(url, body, isJson = true) {
    const headers = { Accept: "application/json", "X-CSRFToken": csrf };
    if (isJson) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(url, {
        method: "POST", headers, credentials: "same-origin",
        body: isJson ? JSON.stringify(body) : body,
      });
    } catch (error) {
      return { ok: false, detail: S.offline };
    }
    return readResponse(response);
  }

  async function readResponse(response) {
    const type = response.headers.get("Content-Type") || "";
    if (!type.startsWith("application/json")) {
      // A redirect to the sign-in page, or an error page: not the JSON this script asked for.
      return { ok: false, status: response.status, detail: S.signedOut };
    }
    const data = await response.json();
    return { ok: response.ok, status: response.status, detail: data.detail, data };
  }

  const currentAnswers = () => Object.fromEntries(answers().map((t) => [t.dataset.gradeId, t.value]));

  // ---- drafts: saved 1.5 s after typing stops, and when the page is hidden ----------------
  let dirty = false;
  let saveTimer = null;
  let saving = null;

  function setDraftStatus(text) {
    if (draftStatus) draftStatus.textContent = text;
  }

  async function saveDraft() {
    clearTimeout(saveTimer);
    if (!dirty) return true;
    if (saving) await saving;
    dirty = false;
    setDraftStatus(S.saving);
    saving = send(form.dataset.draftUrl, { cells: currentAnswers() });
    const result = await saving;
    saving = null;
    if (result.ok) {
      if (!dirty) setDraftStatus(S.saved);
      return true;
    }
    dirty = true;
    setDraftStatus(fill(S.notSaved, { reason: result.detail || S.offline }));
    return false;
  }

  form.addEventListener("input", (event) => {
    if (!event.target.matches("textarea[data-grade-id]")) return;
    dirty = true;
    setDraftStatus(S.unsaved);
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveDraft, 1500);
  });

  function saveOnLeave() {
    if (!dirty) return;
    // A keepalive request survives the page closing; the server takes the form fields too.
    dirty = false;
    navigator.sendBeacon(form.dataset.draftUrl, new FormData(form));
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saveOnLeave();
  });
  window.addEventListener("pagehide", saveOnLeave);

  // ---- results --------------------------------------------------------------------------
  function renderOutputs(records) {
    document.querySelectorAll("[data-outputs]").forEach((box) => box.replaceChildren());
    for (const record of records || []) {
      const box = document.querySelector(`[data-outputs="${Number(record.index)}"]`);
      if (!box) continue;
      if (record.outputs.length) box.append(el("p", { class: "visually-hidden" }, S.outputHeading));
      for (const item of record.outputs) {
        if (item.type === "stream" || item.type === "text") {
          const pre = el("pre", { class: `nb-output nb-${item.type}${item.name === "stderr" ? " nb-stderr" : ""}` },
            item.text + (item.truncated ? `\n${S.truncated}` : ""));
          box.append(pre);
        } else if (item.type === "html") {
          const div = el("div", { class: "nb-output nb-html table-scroll" });
          div.innerHTML = item.html; // sanitised by nh3 on the server (graders.outputs)
          box.append(div);
        } else if (item.type === "image" && /^image\/(png|jpeg)$/.test(item.mime) && /^[A-Za-z0-9+/=]+$/.test(item.data)) {
          box.append(el("img", { class: "nb-output nb-image", src: `data:${item.mime};base64,${item.data}`, alt: item.alt || "" }));
        } else if (item.type === "error") {
          box.append(el("pre", { class: "nb-output nb-error" },
            `${item.ename}: ${item.evalue}\n${item.traceback}${item.truncated ? `\n${S.truncated}` : ""}`));
        } else if (item.type === "omitted") {
          box.append(el("p", { class: "nb-output muted" }, S.omitted));
        }
      }
    }
  }

  function testLine(test, tag) {
    const node = el(tag, { class: `${tag === "p" ? "nb-test-badge " : ""}${test.passed ? "good" : "bad"}` });
    node.append(el("span", { "aria-hidden": "true" }, test.passed ? "✓ " : "✗ "));
    if (tag === "li") node.append(el("strong", {}, `${test.hidden ? `${S.hiddenTest} · ` : ""}${test.grade_id}: `));
    let text = test.passed ? S.passed : S.failed;
    if (test.points !== null && test.points !== undefined) {
      text += ` · ${fill(S.points, { points: test.points_text, max: test.max_points_text })}`;
    }
    if (test.message && !test.hidden) text += ` — ${test.message}`;
    node.append(document.createTextNode(text));
    if (test.visible_only) node.append(el("span", { class: "muted" }, ` (${S.visibleOnly})`));
    return node;
  }

  function renderRun(run) {
    runStatus.textContent = run.status_text;
    runDetails.replaceChildren();
    document.querySelectorAll("[data-test-result]").forEach((box) => box.replaceChildren());
    if (!run.final) return;
    if (run.purpose === "check") {
      const total = run.tests.length;
      const passed = run.tests.filter((test) => test.passed).length;
      runDetails.append(el("p", {}, fill(S.checkSummary, { passed, total })));
    } else if (run.score !== null) {
      const score = el("p", { class: "nb-score" }, fill(S.score, { score: run.score_text, max: run.max_score_text }));
      // Late work: the server's words (teaching/_deadline_late.html) as text, as the page has them.
      if (run.late && run.late.text) score.append(" ", el("span", { class: "deadline-late" }, run.late.text));
      runDetails.append(score);
    }
    if (run.error) runDetails.append(el("p", { class: "bad" }, run.error));
    if (run.tests.length) {
      const list = el("ul", { class: "nb-test-list" });
      for (const test of run.tests) {
        list.append(testLine(test, "li"));
        const box = document.querySelector(`[data-test-result="${CSS.escape(test.grade_id)}"]`);
        if (box) box.append(testLine(test, "p"));
      }
      runDetails.append(list);
    }
    renderOutputs(run.outputs);
  }

  // ---- live status: poll every 1 s, backing off to 8 s, until the result is final -----------
  let pollToken = 0;
  async function poll(url) {
    const token = ++pollToken;
    let delay = 1000;
    let lastStatus = "";
    const started = Date.now();
    while (token === pollToken) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (token !== pollToken) return;
      let result;
      try {
        result = await readResponse(await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" }));
      } catch (error) {
        result = { ok: false, detail: S.offline };
      }
      if (result.ok) {
        const run = result.data;
        if (run.status !== lastStatus) {
          renderRun(run);
          lastStatus = run.status;
          delay = 1000;
        }
        if (run.final) return;
      }
      delay = Math.min(delay * 1.5, 8000);
      if (Date.now() - started > 15 * 60 * 1000) {
        runStatus.textContent = S.stillWaiting;
        return;
      }
    }
  }

  function started(run, statusUrl) {
    renderRun(run);
    poll(statusUrl);
  }

  // ---- Check and Submit ------------------------------------------------------------------
  form.addEventListener("submit", async (event) => {
    const button = event.submitter;
    const action = button && button.dataset.action;
    if (!action) return;
    event.preventDefault();
    if (action === "save") {
      dirty = true;
      await saveDraft();
      return;
    }
    const buttons = Array.from(form.querySelectorAll("button[data-action]"));
    const wasDisabled = buttons.map((b) => b.disabled);
    buttons.forEach((b) => { b.disabled = true; });
    runStatus.textContent = S.sending;
    clearTimeout(saveTimer);
    // getAttribute: the buttons named "action" shadow the form's .action property.
    const result = await send(form.getAttribute("action"), { purpose: action, cells: currentAnswers(), language: form.elements.language.value });
    buttons.forEach((b, i) => { b.disabled = wasDisabled[i]; });
    if (result.ok) {
      dirty = false;
      setDraftStatus(S.saved);
      started(result.data, result.data.status_url);
    } else {
      runStatus.textContent = result.detail || S.offline;
    }
  });

  // ---- Upload: load answers into the editors, or submit the file as it is -------------------
  if (uploadForm) {
    uploadForm.addEventListener("submit", async (event) => {
      const button = event.submitter;
      if (!button) return;
      event.preventDefault();
      const data = new FormData(uploadForm);
      data.set("action", button.value);
      uploadStatus.textContent = S.sending;
      const result = await send(uploadForm.getAttribute("action"), data, false);
      if (!result.ok) {
        uploadStatus.textContent = result.detail || S.offline;
        return;
      }
      if (button.value === "load") {
        const cells = result.data.cells || {};
        for (const textarea of answers()) {
          if (!(textarea.dataset.gradeId in cells)) continue;
          textarea.value = cells[textarea.dataset.gradeId];
          textarea.dispatchEvent(new Event("qiming:replace"));
        }
        clearTimeout(saveTimer);
        dirty = false; // the server saved them with the upload
        setDraftStatus(S.saved);
        uploadStatus.textContent = fill(S.loaded, { count: Object.keys(cells).length });
      } else {
        uploadStatus.textContent = result.data.status_text;
        started(result.data, result.data.status_url);
      }
    });
  }

  // A run still in flight when the page loaded: follow it.
  if (form.dataset.pendingUrl) poll(form.dataset.pendingUrl);
})();
