// Achievement toasts: dismissed by their button, or on their own after a while.
document.addEventListener("DOMContentLoaded", () => {
  const TOAST_SECONDS = 12;
  for (const toast of document.querySelectorAll(".achievement-toast")) {
    const close = () => toast.remove();
    toast.querySelector(".dismiss")?.addEventListener("click", close);
    setTimeout(close, TOAST_SECONDS * 1000);
  }
});
