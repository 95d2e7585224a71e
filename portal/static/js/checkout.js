// Enter in a discount code or quantity field updates the order summary, as the
// Apply button or a quantity change does, instead of paying. In every other
// field Enter pays, because the form's first submit button is a hidden Pay
// button. The listener is on the document because htmx replaces the summary.
// Without JavaScript, Enter in these fields submits as Pay. The server then
// sees a total other than the one on the button, charges nothing and shows
// the new total.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.isComposing) {
    return;
  }
  const field = event.target;
  if (!(field instanceof HTMLInputElement) || !field.closest("#order-summary")) {
    return;
  }

  if (field.id === "discount_code") {
    const applyButton = field.closest(".discount-code").querySelector("button");
    event.preventDefault();
    applyButton.click();
  } else if (field.classList.contains("quantity")) {
    event.preventDefault();
    // htmx posts the summary update on "change". Chromium fires no "change"
    // for an Enter whose default action is cancelled, so send one here.
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }
});
