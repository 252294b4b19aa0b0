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
