// Behaviour shared by every back-office page. Loaded as a file, because the
// Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  // A form, or the button that submits it, with data-confirm="..." shows
  // that question in a confirmation dialog before the form is sent. Listening in the capture phase runs this before htmx,
  // so a cancelled confirmation stops htmx's request too.
  document.addEventListener(
    "submit",
    function (event) {
      var submitter = event.submitter;
      var question =
        (submitter && submitter.getAttribute("data-confirm")) ||
        event.target.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    true
  );

  // The htmx-config swaps no 4xx response except 422. An error response that
  // names its own target with HX-Retarget, such as the expired-form message,
  // is swapped in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
