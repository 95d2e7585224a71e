// Loaded only on checkout pages opened through an embed. It talks to embed.js
// on the host page: it reports the page's height so that an inline checkout
// needs no scrollbar, reports a finished payment, forwards Escape, and moves
// focus on request from the overlay's focus trap.
//
// The server sets data-parent-origin only when the payment link allows the
// host page's origin. Every message names that origin as its target, so the
// browser delivers nothing to another one, and messages from the parent are
// read only when they come from that window and that origin.
(() => {
  const parentOrigin = document.currentScript.dataset.parentOrigin;
  if (!parentOrigin || window.parent === window) {
    return;
  }

  function send(message) {
    window.parent.postMessage(message, parentOrigin);
  }

  // The height of the content, not of the viewport: the html element is as
  // tall as what it holds, so the iframe can shrink again as well as grow.
  function contentHeight() {
    return Math.ceil(document.documentElement.getBoundingClientRect().height);
  }

  send({ type: "kassa:ready", height: contentHeight() });
  new ResizeObserver(() => {
    send({ type: "kassa:resize", height: contentHeight() });
  }).observe(document.documentElement);

  const result = document.getElementById("embed-result");
  if (result) {
    send({
      type: "kassa:complete",
      receiptUrl: result.dataset.receiptUrl,
      status: result.dataset.status,
      redirectUrl: result.dataset.redirectUrl || null,
    });
  }

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented) {
      send({ type: "kassa:escape" });
    }
  });

  const FOCUSABLE =
    "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden])," +
    " select:not([disabled]), textarea:not([disabled]), [tabindex]";

  function focusableElements() {
    return Array.from(document.querySelectorAll(FOCUSABLE)).filter(
      (element) => element.tabIndex >= 0 && element.getClientRects().length > 0,
    );
  }

  // Shift+Tab from the overlay's first control wraps around to the last
  // field of the checkout, which the host page cannot reach into.
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || event.origin !== parentOrigin) {
      return;
    }
    if (event.data?.type === "kassa:focus") {
      const elements = focusableElements();
      const target = event.data.last ? elements.at(-1) : elements[0];
      target?.focus();
    }
  });
})();
