// Progressive enhancement only: every flow works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Put focus on the error summary after a failed submit, so screen readers announce it.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});
