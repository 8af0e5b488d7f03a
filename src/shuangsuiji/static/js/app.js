/* Behaviour that templates used to carry inline (forbidden by the Content-Security-Policy). */
document.addEventListener("click", function (event) {
  var back = event.target.closest("[data-history-back]");
  if (back && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});

// Irreversible steps ask first: <form data-confirm="确定……？"> (replaces inline onsubmit handlers).
document.addEventListener("submit", function (event) {
  var form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
