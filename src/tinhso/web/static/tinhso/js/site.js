// Site-wide behaviour. No inline scripts anywhere (Content-Security-Policy: script-src 'self').
document.addEventListener("DOMContentLoaded", function () {
  // Any element with data-autosubmit submits its form when changed (filters, selects).
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { if (el.form) { el.form.submit(); } });
  });
  // A table that scrolls sideways on a phone must be reachable by keyboard (WCAG 2.1.1).
  document.querySelectorAll(".table-wrap").forEach(function (el) {
    if (!el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "0"); }
  });
  // An error summary takes the focus so screen readers announce it.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
});
