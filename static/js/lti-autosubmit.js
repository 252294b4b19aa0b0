// Deep linking: post the signed choice back to the LMS without a click (the button stays for no-JS use).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-autosubmit]");
  if (form) form.submit();
});
