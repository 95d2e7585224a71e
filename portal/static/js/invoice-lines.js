// The invoice form's line items. Picking a product copies its name into the
// line's description and shows its price as the unit amount, which the
// server charges in place of any typed amount. The page's
// Content-Security-Policy allows no inline script, so this is a static file.
const PICKER = "select[data-product-picker]";

function productName(select) {
  const option = select.selectedOptions[0];
  return option && option.value ? option.dataset.name : "";
}

// Remember the product picked before a change, to tell its filled-in name
// from a description that staff typed.
document.addEventListener("focusin", (event) => {
  const select = event.target.closest(PICKER);
  if (select) {
    select.dataset.previousName = productName(select);
  }
});

document.addEventListener("change", (event) => {
  const select = event.target.closest(PICKER);
  if (!select) {
    return;
  }
  const row = select.closest("tr");
  const description = row.querySelector("input[name$='-description']");
  const unitAmount = row.querySelector("input[name$='-unit_amount']");
  const option = select.selectedOptions[0];
  const picked = option && option.value ? option.dataset : null;

  // A typed description is kept. An empty one, or the previous product's
  // name, is replaced by the new product's name.
  const previous = select.dataset.previousName || "";
  if (description.value === "" || description.value === previous) {
    description.value = picked ? picked.name : "";
  }
  select.dataset.previousName = productName(select);

  unitAmount.readOnly = Boolean(picked);
  if (picked) {
    unitAmount.value = picked.unitAmount;
  } else if (previous) {
    unitAmount.value = "";
  }
});
