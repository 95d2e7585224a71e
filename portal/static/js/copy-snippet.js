// Copy buttons: a button with data-copy-from="<id>" copies that field's text
// and reports the result in the [data-copy-status] element beside it. One
// listener on the document serves buttons that htmx swaps in later too.
if (!window.kassaCopyButtons) {
  window.kassaCopyButtons = true;

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy-from]");
    if (!button) {
      return;
    }
    const field = document.getElementById(button.dataset.copyFrom);
    const status = button.parentElement.querySelector("[data-copy-status]");
    let message = "Copied.";
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      // The Clipboard API needs HTTPS (or localhost) and the page's focus.
      // Without it, select the text so that the user can copy it.
      field.focus();
      field.select();
      if (!document.execCommand("copy")) {
        message = "Press Ctrl+C (or Command+C) to copy the selected text.";
      }
    }
    if (status) {
      status.textContent = message;
    }
  });
}
