// The index pages respond to bad filter values with status 400 and the
// messages inside #index-results. The back office's htmx configuration swaps
// no 4xx response, so this handler lets those through to show the messages.
document.addEventListener("htmx:beforeSwap", function (event) {
  var detail = event.detail;
  if (detail.xhr.status === 400 && detail.target && detail.target.id === "index-results") {
    detail.shouldSwap = true;
    detail.isError = false;
  }
});
