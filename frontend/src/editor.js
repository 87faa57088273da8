// The notebook page's code editor: CodeMirror 6 over every <textarea data-editor>.
//
// Progressive enhancement: the page is a form of plain textareas that works without scripts.
// Each editor writes its text back into its (hidden) textarea on every change and fires an
// "input" event there, so the page script and form posts only ever read textareas. To replace an
// editor's text from outside (a notebook loaded from a file), set the textarea's value and
// dispatch "qiming:replace" on it.
//
// Tab indents (indentWithTab). To leave an editor with the keyboard, press Escape and then Tab
// (CodeMirror's built-in escape hatch; Ctrl-M toggles the same "Tab moves focus" mode). The
// page explains this next to the editors.

import { indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { EditorState } from "@codemirror/state";
import {
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { classHighlighter } from "@lezer/highlight";
import { minimalSetup } from "codemirror";

let serial = 0;

// CodeMirror's own words (what it announces to screen readers, e.g. "Selection deleted", and the
// names it gives to special characters), translated by the page: a JSON object from English
// phrase to the page's language in <script id="editor-phrases">. To find the phrases the bundle
// uses, search frontend/node_modules/@codemirror for `phrase(`; courses/views/notebook/page.py
// lists them. No element (or bad JSON): CodeMirror's English.
let phrases = null;

function pagePhrases() {
  if (phrases === null) {
    const node = document.getElementById("editor-phrases");
    try {
      phrases = node ? JSON.parse(node.textContent) : {};
    } catch {
      phrases = {};
    }
    if (!phrases || typeof phrases !== "object") phrases = {};
  }
  return phrases;
}

function labelIdOf(textarea) {
  const label = textarea.labels && textarea.labels[0];
  if (!label) return null;
  if (!label.id) label.id = `editor-label-${++serial}`;
  return label;
}

function enhance(textarea) {
  if (textarea.dataset.enhanced) return null;
  const label = labelIdOf(textarea);
  const content = { "aria-multiline": "true" };
  if (label) content["aria-labelledby"] = label.id;
  const described = textarea.getAttribute("aria-describedby");
  if (described) content["aria-describedby"] = described;

  const extensions = [
    // Undo history, special characters made visible, the default key bindings.
    minimalSetup,
    lineNumbers(),
    highlightActiveLineGutter(),
    indentOnInput(),
    bracketMatching(),
    highlightActiveLine(),
    // Token classes (tok-keyword, tok-string, ...) styled by static/notebook/notebook.css, the
    // same colours as the read-only cells highlighted on the server.
    syntaxHighlighting(classHighlighter),
    indentUnit.of("    "),
    EditorState.tabSize.of(4),
    keymap.of([indentWithTab]),
    EditorState.phrases.of(pagePhrases()),
    EditorView.contentAttributes.of(content),
    EditorView.updateListener.of((update) => {
      if (!update.docChanged) return;
      textarea.value = update.state.doc.toString();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }),
  ];
  if (textarea.dataset.editor === "python") extensions.push(python());
  if (textarea.readOnly) extensions.push(EditorState.readOnly.of(true));

  const view = new EditorView({
    state: EditorState.create({ doc: textarea.value, extensions }),
  });
  textarea.insertAdjacentElement("afterend", view.dom);
  textarea.hidden = true;
  textarea.dataset.enhanced = "true";
  if (label) label.addEventListener("click", () => view.focus());
  textarea.addEventListener("qiming:replace", () => {
    if (view.state.doc.toString() === textarea.value) return;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: textarea.value } });
  });
  return view;
}

function enhanceAll(root = document) {
  root.querySelectorAll("textarea[data-editor]").forEach(enhance);
  document.documentElement.dataset.editors = "ready";
}

window.QimingEditor = { enhance, enhanceAll };
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => enhanceAll());
} else {
  enhanceAll();
}
