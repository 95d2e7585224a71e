// A create form's idempotency key, kept in the history entry that shows the
// form. Back after a create fetches the form again with a new key from the
// server, and the browser refills the typed fields but no hidden input. This
// script puts the entry's first key back, so a second Create finds the record
// that the first one made instead of adding another. A form opened by a new
// navigation has a new history entry and keeps the server's new key.
(function () {
  const field = document.querySelector("input[data-history-key]");
  if (!field) {
    return;
  }
  const state = history.state || {};
  if (state.formKey) {
    field.value = state.formKey;
  } else if (field.value) {
    history.replaceState(Object.assign({}, state, { formKey: field.value }), "");
  }
})();
