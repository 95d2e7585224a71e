// The Copy URL button of a payment link's page: a button with
// data-copy-url="<id>" copies that input's value and reports the result in
// #copy-status. The page's Content-Security-Policy allows no inline script.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-url]");
  if (!button) {
    return;
  }
  const field = document.getElementById(button.dataset.copyUrl);
  const status = document.getElementById("copy-status");
  let message = "Copied the URL.";
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    // The Clipboard API needs a secure context and the page's focus; without
    // it the URL is selected for the user to copy.
    field.focus();
    field.select();
    message = "Press Ctrl+C (or Command+C) to copy the selected URL.";
  }
  if (status) {
    status.textContent = message;
  }
});
