// Quizzes on the lesson page, enhanced. Without this file every quiz is a plain form that posts
// to the page and comes back marked; with it, the answer goes to the answers API as JSON and the
// mark appears in the exercise's live region without a reload. Ordering items also get
// move up / move down buttons. The words come translated from the page (#learn-strings).
(() => {
  "use strict";

  const stringsNode = document.getElementById("learn-strings");
  if (!stringsNode || !window.fetch) return;
  const words = JSON.parse(stringsNode.textContent);
  const fill = (text, values) =>
    text.replace(/%\((\w+)\)s/g, (whole, key) => (key in values ? String(values[key]) : whole));
  const scoreText = (value) => (value === null || value === undefined ? "" : String(Math.round(value * 100) / 100));

  class FormProblem extends Error {}

  // The answer in the shape courses/quiz expects; mirrors courses/views/quiz_forms.py.
  function answerOf(form) {
    const data = new FormData(form);
    const selects = () => form.querySelectorAll("select[data-item]");
    switch (form.dataset.kind) {
      case "single_choice":
        return data.get("answer");
      case "multiple_choice":
        return data.getAll("answer");
      case "true_false": {
        const value = data.get("answer");
        return value === "true" ? true : value === "false" ? false : null;
      }
      case "numeric":
      case "short_text":
        return data.get("answer") ?? "";
      case "ordering": {
        const byPlace = new Map();
        for (const select of selects()) {
          const place = Number(select.value);
          if (byPlace.has(place)) throw new FormProblem(fill(words.twoInOnePlace, { place }));
          byPlace.set(place, select.dataset.item);
        }
        return [...byPlace.keys()].sort((a, b) => a - b).map((place) => byPlace.get(place));
      }
      default: {
        // categorise and match: {item id: group or partner id}, unplaced items left out
        const chosen = {};
        for (const select of selects()) if (select.value) chosen[select.dataset.item] = select.value;
        return chosen;
      }
    }
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function icon(symbol) {
    const node = element("span", "", symbol);
    node.setAttribute("aria-hidden", "true");
    return node;
  }

  function showError(region, message) {
    region.querySelectorAll(".result-error").forEach((node) => node.remove());
    const paragraph = element("p", "result-error");
    paragraph.append(icon("⚠"), " ", message);
    region.prepend(paragraph);
  }

  function showMark(region, mark) {
    const verdict = mark.correct ? "right" : mark.score > 0 ? "partly" : "wrong";
    region.replaceChildren();
    region.classList.remove("verdict-right", "verdict-partly", "verdict-wrong");
    region.classList.add(`verdict-${verdict}`);
    const line = element("p", "verdict");
    const word = element("strong", "verdict-word");
    word.append(icon({ right: "✓", partly: "◐", wrong: "✗" }[verdict]), " ", words[verdict]);
    line.append(
      word,
      " ",
      element("span", "score", fill(words.score, { score: scoreText(mark.score), max: scoreText(mark.max_score) })),
      " ",
    );
    if (mark.late && mark.late.text) {
      // Already in the page's language and words (teaching/_deadline_late.html); text, not HTML.
      const late = element("span", "deadline-late", mark.late.text);
      late.id = `late-${mark.exercise}`;
      line.append(late, " ");
    }
    line.append(element("span", "muted", `(${fill(words.attempt, { number: mark.attempt })})`));
    region.append(line);
    if (mark.feedback) region.append(element("p", "feedback", mark.feedback));
    if (mark.explanation) {
      const box = element("div", "explanation");
      const title = element("p");
      title.append(element("strong", "", words.why));
      const body = element("p", "", mark.explanation);
      body.style.whiteSpace = "pre-line";
      box.append(title, body);
      region.append(box);
    }
    if (mark.attempts_left !== null && mark.attempts_left !== undefined) {
      const text = mark.attempts_left === 0 ? words.noAttemptsLeft : fill(words.attemptsLeft, { count: mark.attempts_left });
      region.append(element("p", "attempts", text));
    }
  }

  function markDone(section) {
    if (section.classList.contains("is-done")) return;
    section.classList.add("is-done");
    const title = section.querySelector("h3");
    const badge = element("span", "badge badge-done");
    badge.append(icon("✓"), " ", words.done);
    title.append(" ", badge);
  }

  function lock(form) {
    const controls = form.querySelector(".quiz-controls");
    if (controls) controls.disabled = true;
    form.querySelectorAll("button[type=submit]").forEach((button) => (button.disabled = true));
  }

  function enhanceForm(form) {
    const section = form.closest(".exercise");
    const region = section && section.querySelector(".quiz-result");
    const button = form.querySelector("button[type=submit]");
    if (!region || !button) return; // signed out: nothing to send
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      let answer;
      try {
        answer = answerOf(form);
      } catch (problem) {
        if (!(problem instanceof FormProblem)) throw problem;
        showError(region, problem.message);
        return;
      }
      const token = form.querySelector("input[name=csrfmiddlewaretoken]");
      button.disabled = true;
      region.setAttribute("aria-busy", "true");
      let locked = false;
      try {
        const response = await fetch(form.dataset.api, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "X-CSRFToken": token ? token.value : "",
          },
          body: JSON.stringify({ answer }),
        });
        let body = {};
        try {
          body = await response.json();
        } catch {
          body = {};
        }
        if (response.status === 201) {
          showMark(region, body);
          button.textContent = words.checkAgain;
          locked = body.attempts_left === 0;
          if (body.correct || locked) markDone(section);
        } else {
          showError(region, body.detail || words.failed);
          locked = response.status === 409;
        }
      } catch {
        showError(region, words.failed);
      } finally {
        region.removeAttribute("aria-busy");
        button.disabled = false;
        if (locked) lock(form);
      }
    });
  }

  // Ordering: the list's order on screen is the answer; the place menus follow it.
  function enhanceOrdering(form) {
    const list = form.querySelector("[data-order-list]");
    if (!list) return;
    const status = element("p", "visually-hidden");
    status.setAttribute("role", "status");
    list.after(status);
    const items = () => [...list.querySelectorAll(".quiz-order-item")];
    const renumber = () => items().forEach((item, index) => (item.querySelector("select").value = String(index + 1)));
    const announce = (item) => {
      const select = item.querySelector("select");
      status.textContent = fill(words.moved, { item: select.dataset.label, place: select.value });
    };
    for (const item of items()) {
      const select = item.querySelector("select");
      const label = select.dataset.label;
      const buttons = element("span", "order-buttons");
      const up = element("button", "secondary", "↑");
      const down = element("button", "secondary", "↓");
      up.type = down.type = "button";
      up.setAttribute("aria-label", fill(words.moveUp, { item: label }));
      down.setAttribute("aria-label", fill(words.moveDown, { item: label }));
      up.addEventListener("click", () => {
        if (item.previousElementSibling) item.previousElementSibling.before(item);
        renumber();
        (item.previousElementSibling ? up : down).focus();
        announce(item);
      });
      down.addEventListener("click", () => {
        if (item.nextElementSibling) item.nextElementSibling.after(item);
        renumber();
        (item.nextElementSibling ? down : up).focus();
        announce(item);
      });
      // Choosing a place moves the item there; the others close up around it.
      select.addEventListener("change", () => {
        const place = Number(select.value);
        const others = items().filter((other) => other !== item);
        const anchor = others[place - 1];
        if (anchor) anchor.before(item);
        else list.append(item);
        renumber();
        select.focus();
        announce(item);
      });
      buttons.append(up, down);
      item.querySelector(".quiz-order-place").append(buttons);
    }
  }

  document.querySelectorAll("form[data-quiz-form]").forEach((form) => {
    if (form.dataset.kind === "ordering") enhanceOrdering(form);
    enhanceForm(form);
  });
})();
