/* Behaviour that templates used to carry inline (forbidden by the Content-Security-Policy). */
document.addEventListener("click", function (event) {
  var back = event.target.closest("[data-history-back]");
  if (back && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
