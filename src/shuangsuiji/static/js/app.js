/* Behaviour that templates used to carry inline (forbidden by the Content-Security-Policy). */
document.addEventListener("click", function (event) {
  var back = event.target.closest("[data-history-back]");
  if (back && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
/* Forms with data-confirm="…" ask before submitting (replaces inline onsubmit handlers). */
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute && form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
}, true);
