// Places pages: move focus to the error summary so screen-reader and keyboard users hear the errors first.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
});
