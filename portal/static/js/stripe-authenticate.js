// Authentication of a Stripe payment: 3-D Secure after the checkout, or a
// saved card charged while the customer was away that their bank wants them
// to confirm. Stripe.js shows the bank's check. Whatever its outcome, the
// form is then posted, so that the server reads the payment's state from
// Stripe and shows the receipt or the reason it failed.
const form = document.getElementById("stripe-authentication");
if (form) {
  const stripe = Stripe(form.dataset.publishableKey);
  const button = document.getElementById("authenticate-button");

  async function authenticate() {
    button.disabled = true;
    const clientSecret = form.dataset.clientSecret;
    const paymentMethod = form.dataset.paymentMethod;
    try {
      if (paymentMethod) {
        // Stripe declined the charge because it needs authentication, so it
        // is confirmed again with the saved card now that the customer is here.
        await stripe.confirmCardPayment(clientSecret, {
          payment_method: paymentMethod,
        });
      } else {
        await stripe.handleNextAction({ clientSecret });
      }
    } catch (error) {
      // Stripe.js itself failed, so the check never ran. Posting now would
      // only bring the buyer back here, so the button stays for another try.
      document.getElementById("authentication-status").textContent =
        form.dataset.failedMessage;
      button.disabled = false;
      return;
    }
    // Passed or failed, the server reads the outcome from Stripe.
    form.submit();
  }

  button.addEventListener("click", authenticate);
  authenticate();
}
