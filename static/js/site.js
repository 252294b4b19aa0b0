// The site header's menu: on narrow screens a "Menu" button shows and hides it. Without this
// script the button stays hidden and the menu is a plain list that wraps onto several lines.
(function () {
  "use strict";

  // A table wrapper that scrolls keeps its tab stop (so the keyboard can scroll it); one that fits
  // loses it, so keyboard users do not stop on something that does nothing.
  function updateScrollRegions() {
    document.querySelectorAll(".table-scroll[aria-label], .table-scroll[aria-labelledby]").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
      else box.removeAttribute("tabindex");
    });
    // Code blocks that scroll sideways take focus too (those with their own tabindex keep it).
    document.querySelectorAll("main pre:not([tabindex]), main pre[data-scroll-focus]").forEach(function (block) {
      if (block.scrollWidth > block.clientWidth + 1) {
        block.setAttribute("tabindex", "0");
        block.setAttribute("data-scroll-focus", "");
      } else {
        block.removeAttribute("tabindex");
        block.removeAttribute("data-scroll-focus");
      }
    });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(updateScrollRegions, 150);
  });
  window.descentUpdateScrollRegions = updateScrollRegions;

  document.addEventListener("DOMContentLoaded", updateScrollRegions);

  document.addEventListener("DOMContentLoaded", function () {
    var header = document.querySelector(".site-header");
    var button = header && header.querySelector(".nav-toggle");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) return;
    header.classList.add("collapsible");
    button.hidden = false;

    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("menu-open", open);
    }

    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    // Escape closes an open menu and gives focus back to its button.
    header.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  });
})();
