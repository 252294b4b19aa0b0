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

  // --- forms: confirm finishing early; ignore a second click while an answer is on its way ----
  function setupForms(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
    root.querySelectorAll("form.answer-form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sending) { event.preventDefault(); return; }
        form.dataset.sending = "1";
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".quiz-timer[data-seconds-left]").forEach(startTimer);
    document.querySelectorAll("input.expression-input[data-preview-url]").forEach(setupEcho);
    document.querySelectorAll("ol.ordering").forEach(setupOrdering);
    setupForms(document);
  });
})();
