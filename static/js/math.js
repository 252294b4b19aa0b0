// Render $...$ and $$...$$ in any element marked .math (stems, explanations, echoes).
function descentRenderMath(root) {
  if (typeof renderMathInElement !== "function") return;
  (root || document).querySelectorAll(".math").forEach(function (el) {
    renderMathInElement(el, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "$", right: "$", display: false },
        { left: "\\(", right: "\\)", display: false },
        { left: "\\[", right: "\\]", display: true },
      ],
      throwOnError: false,
    });
  });
}
document.addEventListener("DOMContentLoaded", function () { descentRenderMath(document); });
