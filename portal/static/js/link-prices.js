// The link editor's price lists offer only the prices in the link's currency.
// Each price option names its currency in data-currency. When the currency
// changes, a line item whose chosen price is in another currency goes back to
// "Choose a price". A price shown with the saved form stays visible, so that
// the save's message names the mismatch.
(function () {
  function showPricesIn(root, resetOthers) {
    const currency = document.getElementById("currency");
    if (!currency) {
      return;
    }
    root.querySelectorAll("option[data-currency]").forEach((option) => {
      const other = option.dataset.currency !== currency.value;
      if (other && option.selected && resetOthers) {
        option.parentElement.value = "";
      }
      option.hidden = other && !option.selected;
    });
  }

  document.addEventListener("change", (event) => {
    if (event.target.id === "currency") {
      showPricesIn(document, true);
    }
  });
  // htmx:load fires for the page and for each line item row that htmx adds.
  document.addEventListener("htmx:load", (event) => {
    showPricesIn(event.target, false);
  });
})();
