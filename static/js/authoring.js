// Authoring pages. On the new-item form, choosing another kind swaps in that kind's example
// YAML, but only while the text area still holds an untouched example: an author's own
// text is never overwritten.
document.addEventListener("DOMContentLoaded", function () {
  var examplesNode = document.getElementById("kind-examples");
  var kindSelect = document.getElementById("id_kind");
  var specArea = document.getElementById("id_spec");
  if (!examplesNode || !kindSelect || !specArea) return;
  var examples = JSON.parse(examplesNode.textContent);
  var isUntouchedExample = function () {
    var text = specArea.value.trim();
    if (text === "") return true;
    return Object.keys(examples).some(function (kind) { return examples[kind].trim() === text; });
  };
  kindSelect.addEventListener("change", function () {
    if (isUntouchedExample() && examples[kindSelect.value] !== undefined) {
      specArea.value = examples[kindSelect.value];
    }
  });
});

// The item form's Preview button: without JavaScript it posts the form and the page comes back
// with the preview below it. Here it fetches the preview part alone and puts it in place; after
// the first preview, edits refresh it by themselves (debounced), so the key follows the typing.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("item-form");
  var button = document.getElementById("preview-button");
  var target = document.getElementById("item-preview");
  if (!form || !button || !target || !window.fetch || !window.FormData) return;
  var live = false;
  var timer = null;
  var pending = null;
  var refresh = function () {
    var data = new FormData(form);
    data.set("action", "preview");
    data.set("fragment", "1");
    if (pending && pending.abort) pending.abort();
    pending = window.AbortController ? new AbortController() : null;
    target.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      signal: pending ? pending.signal : undefined,
    })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        target.innerHTML = html;
        target.removeAttribute("aria-busy");
        if (typeof descentRenderMath === "function") descentRenderMath(target);
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") return;
        target.removeAttribute("aria-busy");
      });
  };
  button.addEventListener("click", function (event) {
    event.preventDefault();
    live = true;
    refresh();
  });
  var later = function () {
    if (!live) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 800);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
});
