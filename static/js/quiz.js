// Quiz attempt pages: progressive enhancements only. Every form works without this file.
(function () {
  "use strict";

  // --- timer: count down locally; at zero reload, and the server closes the attempt ---------
  function startTimer(timer) {
    var left = parseInt(timer.dataset.secondsLeft, 10);
    var value = timer.querySelector(".timer-value");
    if (isNaN(left) || !value) return;
    var endsAt = Date.now() + left * 1000;
    function pad(n) { return n < 10 ? "0" + n : String(n); }
    function tick() {
      var seconds = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
      value.textContent = h ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
      timer.classList.toggle("urgent", seconds <= 60);
      if (seconds === 0) {
        clearInterval(handle);
        value.textContent = "time is up";
        setTimeout(function () { window.location.reload(); }, 1500);
      }
    }
    var handle = setInterval(tick, 1000);
    tick();
  }

  // --- symbolic items: echo the typed expression as rendered LaTeX before it counts -----------
  function setupEcho(input) {
    var echo = document.getElementById(input.getAttribute("aria-describedby"));
    if (!echo) return;
    var mathBox = echo.querySelector(".echo-math"), errorBox = echo.querySelector(".echo-error");
    var pending = null, latest = 0;
    function show(data) {
      mathBox.textContent = "";
      errorBox.textContent = data.error || "";
      echo.classList.toggle("has-error", Boolean(data.error));
      echo.classList.toggle("active", Boolean(data.error || (data.ok && data.latex)));
      if (!data.ok || !data.latex) return;
      if (window.katex) {
        window.katex.render(data.latex, mathBox, { throwOnError: false, displayMode: false });
      } else {
        mathBox.textContent = data.latex;
      }
    }
    function request() {
      var text = input.value;
      var ticket = ++latest;
      if (!text.trim()) { show({ ok: false, latex: "", error: "" }); return; }
      var url = input.dataset.previewUrl + "?text=" + encodeURIComponent(text);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) { if (ticket === latest) show(data); })
        .catch(function () { if (ticket === latest) show({ ok: false, error: "Preview unavailable right now." }); });
    }
    input.addEventListener("input", function () {
      clearTimeout(pending);
      pending = setTimeout(request, 250);
    });
    if (input.value) request();
  }

  // --- ordering items: drag to reorder; the arrow buttons move without a round trip ---------
  function refreshMoveButtons(list) {
    var items = list.querySelectorAll("li");
    items.forEach(function (li, index) {
      var up = li.querySelector('button.move[value$=":up"]');
      var down = li.querySelector('button.move[value$=":down"]');
      if (up) up.disabled = index === 0;
      if (down) down.disabled = index === items.length - 1;
    });
  }

  function setupOrdering(list) {
    var dragged = null;
    list.addEventListener("click", function (event) {
      var button = event.target.closest("button.move");
      if (!button) return;
      event.preventDefault();
      var li = button.closest("li");
      if (button.value.endsWith(":up") && li.previousElementSibling) {
        list.insertBefore(li, li.previousElementSibling);
      } else if (button.value.endsWith(":down") && li.nextElementSibling) {
        list.insertBefore(li.nextElementSibling, li);
      }
      refreshMoveButtons(list);
      if (!button.disabled) button.focus();
    });
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("li");
      if (!dragged) return;
      dragged.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", "");
    });
    list.addEventListener("dragover", function (event) {
      var over = event.target.closest("li");
      if (!dragged || !over || over === dragged) return;
      event.preventDefault();
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextElementSibling : over);
    });
    list.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("dragging");
      dragged = null;
      refreshMoveButtons(list);
    });
  }

  // --- drafts: what a student types is saved as they type (1.5 s after typing stops, and on
  // change or leaving the field), unchecked; Finish checks it. The state is shown next to Submit.
  var DRAFT_DELAY_MS = 1500;
  var drafts = [];

  function setupDraft(form) {
    var url = form.dataset.draftUrl;
    var status = form.querySelector(".save-state");
    if (!url || !status) return;
    var timer = null, dirty = false, inflight = null;
    function show(text, state) {
      status.textContent = "";
      status.dataset.state = state;
      status.appendChild(document.createTextNode(text));
      if (state === "failed") {
        var retry = document.createElement("button");
        retry.type = "button";
        retry.className = "retry-save link-button";
        retry.textContent = "retry";
        retry.addEventListener("click", function () { dirty = true; save(); });
        status.appendChild(retry);
      }
    }
    function body() {
      var data = new FormData(form);
      data.delete("move");
      return data;
    }
    function save() {
      clearTimeout(timer);
      timer = null;
      if (!dirty) return inflight || Promise.resolve(true);
      dirty = false;
      show("Saving…", "saving");
      var previous = inflight || Promise.resolve(true);
      inflight = previous.then(function () {
        return fetch(url, {
          method: "POST", body: body(), credentials: "same-origin",
          headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" }
        }).then(function (response) {
          return response.json().then(function (data) {
            if (response.ok && data.ok) { show("Saved " + data.saved_at, "saved"); return true; }
            dirty = true;
            show("Not saved: " + (data.error || "the server refused it") + " ", "failed");
            return false;
          });
        }).catch(function () {
          dirty = true;
          show("Not saved: no connection. ", "failed");
          return false;
        });
      });
      return inflight;
    }
    function schedule() {
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(save, DRAFT_DELAY_MS);
    }
    form.addEventListener("input", schedule);
    form.addEventListener("change", function () { dirty = true; save(); });
    form.addEventListener("focusout", function () { if (dirty) save(); });
    form.addEventListener("click", function (event) {
      if (event.target.closest("button.move")) schedule();  // an ordering step moved
    });
    form.addEventListener("dragend", schedule);
    form.addEventListener("submit", function () { clearTimeout(timer); dirty = false; });
    drafts.push({ flush: save });
  }

  function flushDrafts() {
    return Promise.all(drafts.map(function (draft) { return draft.flush(); }));
  }

  // --- Finish: save every typed answer, then name the unanswered questions before confirming ---
  function setupFinish(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.dataset.sending) return;
      form.dataset.sending = "1";
      function toCheckPage() {  // the confirm page, as without JavaScript
        var check = document.createElement("input");
        check.type = "hidden"; check.name = "check"; check.value = "1";
        form.appendChild(check);
        form.submit();
      }
      flushDrafts().then(function () {
        return fetch(form.dataset.statusUrl, {
          credentials: "same-origin", headers: { Accept: "application/json" }
        }).then(function (response) { return response.json(); });
      }).then(function (data) {
        var missing = data.unanswered || [];
        if (missing.length) {
          var names = missing.length === 1 ? "Question " + missing[0] + " has"
            : "Questions " + missing.slice(0, -1).join(", ") + " and " + missing[missing.length - 1] + " have";
          var text = names + " no answer and will score 0 (" + (data.total - missing.length) + " of " +
            data.total + " answered). Finish anyway?";
          if (!window.confirm(text)) { delete form.dataset.sending; return; }
        }
        form.submit();  // without the button's `check`: finishes
      }).catch(toCheckPage);
    });
  }

  // --- forms: ignore a second click while an answer is on its way ------------------------------
  function setupForms(root) {
    root.querySelectorAll("form.answer-form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sending) { event.preventDefault(); return; }
        form.dataset.sending = "1";
      });
    });
  }

  // --- after answering, the page opens at the item's feedback: move the focus there ----------
  function focusFeedback() {
    var match = /^#(feedback-\d+)$/.exec(window.location.hash);
    var target = match && document.getElementById(match[1]);
    if (target && target.getAttribute("tabindex") === "-1") target.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".quiz-timer[data-seconds-left]").forEach(startTimer);
    document.querySelectorAll("input.expression-input[data-preview-url]").forEach(setupEcho);
    document.querySelectorAll("ol.ordering").forEach(setupOrdering);
    setupForms(document);
    document.querySelectorAll("form.answer-form[data-draft-url]").forEach(setupDraft);
    document.querySelectorAll("form.finish-form[data-status-url]").forEach(setupFinish);
    focusFeedback();
  });
})();
