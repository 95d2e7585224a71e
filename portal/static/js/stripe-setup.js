// Stripe mode of the account area's card update. Stripe.js confirms the
// SetupIntent with the card typed into Stripe's own frame, and the form is
// then submitted with only the signed token that names the SetupIntent.
// NOTE: browser tests run this against localstripe's stand-in for Stripe.js,
// not against Stripe's own script.
const container = document.getElementById("stripe-setup");
if (container) {
  setUpCardSetup(container);
}

function setUpCardSetup(container) {
  const form = container.closest("form");
  const errorText = document.getElementById("stripe-error");
  const consent = document.getElementById("consent");
  const stripe = Stripe(container.dataset.publishableKey);
  const elements = stripe.elements();
  const card = elements.create("card");
  card.mount("#card-element");
  let confirmed = false;

  form.addEventListener("submit", async (event) => {
    if (confirmed) {
      return;
    }
    event.preventDefault();
    errorText.hidden = true;
    // Checked before Stripe.js attaches the card to the customer, because
    // the card must not be saved without the customer's consent.
    if (consent && !consent.checked) {
      errorText.textContent = container.dataset.consentMessage;
      errorText.hidden = false;
      consent.focus();
      return;
    }
    const result = await stripe.confirmCardSetup(container.dataset.clientSecret, {
      payment_method: { card },
    });
    if (result.error) {
      errorText.textContent = result.error.message || container.dataset.failedMessage;
      errorText.hidden = false;
      return;
    }
    confirmed = true;
    form.requestSubmit();
  });
}
