/* Gonghui page behaviour. No inline scripts: the CSP allows scripts from 'self' only. */
(function () {
  "use strict";

  // Forms with data-confirm ask before submitting (deletes, revocations, withdrawals).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // htmx: swap 400/403 answers too, so a refusal shows where the user clicked.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 403) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Role form: show the enterprise / department pickers only for roles that need them.
  function syncRoleFields(select) {
    var form = select.form;
    if (!form) { return; }
    form.querySelectorAll("[data-role-only]").forEach(function (el) {
      var show = el.getAttribute("data-role-only") === select.value;
      el.hidden = !show;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-role-select]")) {
      syncRoleFields(event.target);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-role-select]").forEach(syncRoleFields);
    // On a phone the console nav is a scrolling strip: bring the current page into view.
    var current = document.querySelector(".console-nav a[aria-current='page']");
    if (current && current.scrollIntoView) {
      current.scrollIntoView({ block: "nearest", inline: "center" });
    }
  });
})();
