// Stripe mode of the checkout. Stripe's Payment Element collects the card or
// bank details in Stripe's own frame. On Pay, the details are checked and
// turned into a PaymentMethod by Stripe.js. Then the form is submitted with
// only that PaymentMethod's id, and the server confirms the payment with it.
// Nothing is charged until the server does so, with the checkout's
// idempotency key. A subscription that charges nothing today runs the
// element in setup mode, and the server saves the card with a SetupIntent.
const container = document.getElementById("stripe-payment");
if (container) {
  setUpStripePayment(container);
}

function setUpStripePayment(container) {
  const form = container.closest("form");
  const methodField = document.getElementById("payment_method");
  const errorText = document.getElementById("stripe-error");
  const stripe = Stripe(container.dataset.publishableKey);
  const setupMode = container.dataset.mode === "setup";
  const options = {
    mode: setupMode ? "setup" : "payment",
    currency: container.dataset.currency,
    paymentMethodCreation: "manual",
    paymentMethodTypes: container.dataset.paymentMethodTypes.split(","),
    locale: container.dataset.locale,
  };
  // Setup mode takes no amount, and it saves the card for later charges.
  if (!setupMode) {
    options.amount = Number(container.dataset.amount);
    if (container.dataset.saveMethod) {
      options.setupFutureUsage = "off_session";
    }
  }
  const elements = stripe.elements(options);
  elements.create("payment").mount("#payment-element");

  // A quantity or discount code changes the total through htmx; the Payment
  // Element shows what the buyer agrees to pay, so it follows.
  document.body.addEventListener("htmx:afterSwap", () => {
    const amount = payableAmount(form, container);
    if (!setupMode && amount > 0) {
      elements.update({ amount });
    }
  });

  form.addEventListener("submit", async (event) => {
    const submitter = event.submitter;
    const paying = !submitter || submitter.value === "pay";
    // Summary updates post as before, and an order with nothing to pay or
    // save, or a second pass with the PaymentMethod already in the form, goes
    // as it is.
    const nothingToPay = payableAmount(form, container) === 0 && !setupMode;
    if (!paying || methodField.value || nothingToPay) {
      return;
    }
    event.preventDefault();
    showError("");
    setBusy(form, true);
    const paymentMethod = await createPaymentMethod(stripe, elements, form);
    if (!paymentMethod) {
      setBusy(form, false);
      return;
    }
    methodField.value = paymentMethod.id;
    // A disabled button cannot submit; the server's attempt key stops a
    // second payment if the buyer clicks again meanwhile.
    setBusy(form, false);
    form.requestSubmit(submitter || undefined);
  });

  async function createPaymentMethod(stripe, elements, form) {
    try {
      const checked = await elements.submit();
      if (checked.error) {
        showError(checked.error.message || container.dataset.failedMessage);
        return null;
      }
      const created = await stripe.createPaymentMethod({
        elements,
        params: { billing_details: billingDetails(form) },
      });
      if (created.error) {
        showError(created.error.message || container.dataset.failedMessage);
        return null;
      }
      return created.paymentMethod;
    } catch (error) {
      showError(container.dataset.unavailableMessage);
      return null;
    }
  }

  function showError(message) {
    errorText.textContent = message;
    errorText.hidden = !message;
  }

  // Back from the receipt can restore the page with the last PaymentMethod
  // still in its field, and that one must not pay a second time.
  window.addEventListener("pageshow", () => {
    methodField.value = "";
  });
}

function payableAmount(form, container) {
  // A payment link's form carries the total its Pay button shows, such as
  // "EUR:28191" in minor units, which htmx updates. An invoice's amount due
  // does not change on its page.
  const shown = form.elements.namedItem("shown_total");
  if (shown) {
    return Number(shown.value.split(":")[1]);
  }
  return Number(container.dataset.amount);
}

function billingDetails(form) {
  const details = {};
  for (const name of ["email", "name", "phone"]) {
    const field = form.elements.namedItem(name);
    if (field && field.value) {
      details[name] = field.value;
    }
  }
  return details;
}

function setBusy(form, busy) {
  for (const button of form.querySelectorAll('button[value="pay"]')) {
    button.disabled = busy;
  }
  form.setAttribute("aria-busy", busy ? "true" : "false");
}
