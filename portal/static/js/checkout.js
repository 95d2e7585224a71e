// Enter in a discount code or quantity field updates the order summary, as the
// Apply button or a quantity change does, instead of paying. In every other
// field Enter pays, because the form's first submit button is a hidden Pay
// button. The listener is on the document because htmx replaces the summary.
// Without JavaScript, Enter in these fields submits as Pay. The server then
// computes a total other than the one on the button, so it charges nothing
// and shows the new total.
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

// After a rejected submit, focus moves to the first shown invalid field, whose
// error a screen reader reads through aria-describedby. Without such a field
// (an expired page, for one), the alert takes focus. A page without errors
// keeps the browser's focus.
function focusFirstError() {
  const invalidFields = document.querySelectorAll(
    '#checkout-form [aria-invalid="true"]',
  );
  // A field inside a hidden block, such as the bank fields while Card is
  // chosen, has no layout boxes and cannot take focus.
  const shownField = Array.from(invalidFields).find(
    (field) => field.getClientRects().length > 0,
  );
  if (shownField) {
    shownField.focus();
    return;
  }

  const message = document.getElementById("checkout-message");
  if (message) {
    // tabindex -1 lets a script focus the alert without adding a tab stop.
    message.tabIndex = -1;
    message.focus();
  }
}

focusFirstError();

// Back from the receipt loads a fresh checkout, and the browser fills it in
// again, card number and security code included, so one click would pay a
// second time. Payment details are therefore cleared whenever the page comes
// from the history.
const SECRET_FIELDS = ["card_number", "card_expiry", "card_cvc", "account_number"];

function clearPaymentDetails() {
  for (const name of SECRET_FIELDS) {
    const field = document.getElementById(name);
    if (field) {
      field.value = "";
    }
  }
}

window.addEventListener("pageshow", (event) => {
  const [navigation] = performance.getEntriesByType("navigation");
  if (event.persisted || navigation?.type === "back_forward") {
    clearPaymentDetails();
  }
});
