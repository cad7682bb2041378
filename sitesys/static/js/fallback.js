// The paper fallback sheets: a "Print" button where script runs (the browser's own Print
// command does the same where it does not). No inline script: the CSP forbids it.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
