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

// Main menu: the <details> dropdowns open without JavaScript; with it, only one stays open and a click
// outside or Escape closes it.
(function () {
  function menus() { return document.querySelectorAll("details[data-nav-menu]"); }
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches("details[data-nav-menu]") || !opened.open) { return; }
    menus().forEach(function (menu) { if (menu !== opened) { menu.open = false; } });
  }, true);
  document.addEventListener("click", function (event) {
    menus().forEach(function (menu) { if (menu.open && !menu.contains(event.target)) { menu.open = false; } });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { menus().forEach(function (menu) { menu.open = false; }); }
  });
})();

// Long steps (imports, draws, matching) show that they are working: <form data-busy="正在抽取，请稍候…">.
// The button is disabled only after the browser has read the form, so its name/value is still sent.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (event.defaultPrevented || !form.matches || !form.matches("form[data-busy]")) { return; }
  var button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
  window.setTimeout(function () {
    form.setAttribute("aria-busy", "true");
    if (button) {
      button.disabled = true;
      button.classList.add("btn-loading-text");
      button.textContent = form.getAttribute("data-busy");
    }
  }, 0);
});
