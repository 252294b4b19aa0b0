// Code exercise pages: the CodeMirror editor (the plain textarea stays as the no-JS fallback)
// and the live status of a submission (poll a small JSON endpoint, then swap in the result).
(function () {
  "use strict";

  var POLL_MS = 500;
  var GIVE_UP_AFTER_MS = 10 * 60 * 1000;

  function setUpEditor() {
    var textarea = document.querySelector("textarea[data-editor=python]");
    if (!textarea || typeof CM === "undefined") return;
    var form = textarea.form;
    var view = new CM.EditorView({
      doc: textarea.value,
      extensions: [
        CM.basicSetup,
        CM.python(),
        CM.indentUnit.of("    "),
        CM.keymap.of([CM.indentWithTab]),
        CM.EditorView.lineWrapping,
        // The editor is named by the form's visible label and described by the keyboard help.
        CM.EditorView.contentAttributes.of({
          "aria-labelledby": "source-label",
          "aria-describedby": textarea.getAttribute("aria-describedby") || "",
        }),
      ],
    });
    // Escape, then Tab, leaves the editor (Tab alone indents). CodeMirror does this itself unless
    // Escape is taken by something else (closing the completion list): listen before it does.
    view.dom.addEventListener("keydown", function (event) {
      if (event.key === "Escape") view.setTabFocusMode(2000);
    }, true);
    // A long program scrolls inside the editor: its scroller is a tab stop of its own, so a keyboard
    // user can scroll the code without editing it (axe does not count the editable lines inside).
    view.scrollDOM.setAttribute("tabindex", "0");
    // The class carries the editor's font: it must be there before the editor measures its lines.
    view.dom.classList.add("code-editor");
    textarea.parentNode.insertBefore(view.dom, textarea);
    // Line heights (and so the gutter's numbers) are measured in the editor's font: measure again
    // once fonts have arrived.
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(function () { view.requestMeasure(); });
    textarea.hidden = true;
    // The form still posts the textarea: copy the editor's text into it on submit.
    form.addEventListener("submit", function () { textarea.value = view.state.doc.toString(); });

    var reset = form.querySelector("[data-reset-starter]");
    if (reset && form.dataset.starterUrl) {
      reset.hidden = false;
      reset.addEventListener("click", function () {
        if (!window.confirm("Replace your code with the starter code?")) return;
        fetch(form.dataset.starterUrl, { credentials: "same-origin" })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
          .then(function (text) {
            view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
          })
          .catch(function () { window.alert("Could not load the starter code; reload the page and try again."); });
      });
    }
  }

  // One post per click: the button stays disabled while the post is under way. A retried post
  // (a double click, a reload of the result) carries the same client_token, so the server finds
  // the submission it already stored instead of making a second one.
  function setUpSubmitOnce() {
    var form = document.getElementById("submit-form");
    if (!form) return;
    var button = form.querySelector("button[type=submit]");
    if (!button) return;
    form.addEventListener("submit", function () {
      // After the browser has collected the form's fields, so the post still carries them.
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
    // Coming back to the page (the back button restores it as it was): usable again.
    window.addEventListener("pageshow", function () { button.disabled = false; });
  }

  // The history table further down still shows "queued": give its row the finished badge.
  function updateHistoryBadge(box) {
    var result = box.querySelector(".result[data-submission]");
    var badge = box.querySelector("template[data-status-badge]");
    if (!result || !badge) return;
    var cell = document.querySelector('[data-history-status="' + result.dataset.submission + '"]');
    if (cell) cell.innerHTML = badge.innerHTML;
  }

  function setUpLiveStatus() {
    var box = document.querySelector("#result[data-status-url]");
    if (!box) return;
    var started = Date.now();
    var label = box.querySelector("[data-status-label]");

    function showResult(url) {
      return fetch(url, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
        .then(function (html) {
          box.innerHTML = html;
          box.removeAttribute("data-status-url");
          updateHistoryBadge(box);
          if (typeof descentRenderMath === "function") descentRenderMath(box);
        });
    }

    function poll() {
      fetch(box.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) {
          if (label) label.textContent = data.status_label;
          box.dataset.status = data.status;
          if (data.finished) return showResult(data.result_url);
          schedule();
        })
        .catch(schedule);  // a dropped request is retried on the next tick
    }

    function schedule() {
      if (Date.now() - started > GIVE_UP_AFTER_MS) {
        if (label) label.textContent = "still waiting: reload the page later";
        return;
      }
      window.setTimeout(poll, POLL_MS);
    }

    schedule();
  }

  // "line 12" in a result links to #L12 of the submitted code: open the listing that holds the
  // line, then move focus to it (the link works without this too; browsers open the listing).
  function setUpLineLinks() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a.line-ref");
      if (!link) return;
      var line = document.getElementById("L" + link.dataset.line);
      if (!line) return;
      event.preventDefault();
      var listing = line.closest("details");
      if (listing) listing.open = true;
      if (window.history && window.history.replaceState) window.history.replaceState(null, "", "#L" + link.dataset.line);
      line.setAttribute("tabindex", "-1");
      line.classList.add("line-target");
      line.focus();
      line.scrollIntoView({ block: "center" });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpEditor();
    setUpSubmitOnce();
    setUpLiveStatus();
    setUpLineLinks();
  });
})();
