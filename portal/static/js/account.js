// Account area forms marked data-submit-once disable their buttons once
// submitted, so a double click sends one request. The server also treats a
// repeated submit as the first one, for browsers without JavaScript.
for (const form of document.querySelectorAll("form[data-submit-once]")) {
  form.addEventListener("submit", (event) => {
    // Disabled after this event, so that the clicked button's value is sent,
    // and not at all when another script stopped the submit.
    setTimeout(() => {
      if (event.defaultPrevented) {
        return;
      }
      for (const button of form.querySelectorAll("button[type=submit]")) {
        button.disabled = true;
      }
    }, 0);
  });
}
