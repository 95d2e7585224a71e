// Kassa's embeds for other sites' pages. Load it from the Kassa server:
//
//   <script src="https://kassa.example/static/js/embed.js" async></script>
//
// An element with data-kassa-button="<slug>" becomes a button that opens the
// payment link's checkout in an overlay. An element with
// data-kassa-checkout="<slug>" gets the checkout inline, as tall as its
// content. The checkout's origin is this script's own origin.
//
// Where the checkout cannot be framed (the link does not allow this page's
// origin, the browser lacks <dialog>, or this page's Content Security Policy
// blocks the frame), the button opens the checkout in a new tab instead, and
// an inline embed keeps the link it holds.
//
// The host page hears what happens through events that bubble from the
// element: kassa:open, kassa:complete (detail: slug, receiptUrl, status,
// redirectUrl) and kassa:close. Unless a listener cancels kassa:complete,
// a link with an after-payment URL then takes the page there.
//
// Messages from a frame are read only when they come from that frame's
// window and from this script's origin, and messages to a frame name this
// script's origin as their target.
(() => {
  "use strict";

  const script =
    document.currentScript ||
    document.querySelector('script[src$="/static/js/embed.js"]');
  if (!script) {
    return;
  }
  const ORIGIN = new URL(script.src, location.href).origin;
  // A page that loads the script twice, once with each snippet, sets up once.
  const registry = (window.kassaEmbeds = window.kassaEmbeds || {});
  if (registry[ORIGIN]) {
    registry[ORIGIN].scan();
    return;
  }

  const embeds = new Set(); // {slug, element, frame, dialog?} with a live frame
  const settingsBySlug = new Map();
  let canFrame =
    /^https?:$/.test(location.protocol) && typeof HTMLDialogElement === "function";

  function settings(slug) {
    if (!settingsBySlug.has(slug)) {
      const url = `${checkoutUrl(slug)}/embed.json`;
      const request = fetch(url, { credentials: "omit" })
        .then((response) => (response.ok ? response.json() : {}))
        .catch(() => ({}));
      settingsBySlug.set(slug, request);
    }
    return settingsBySlug.get(slug);
  }

  function checkoutUrl(slug, embedded) {
    const url = `${ORIGIN}/pay/${encodeURIComponent(slug)}`;
    return embedded ? `${url}?embed=${encodeURIComponent(location.origin)}` : url;
  }

  function emit(element, name, detail) {
    const event = new CustomEvent(name, { bubbles: true, cancelable: true, detail });
    return element.dispatchEvent(event);
  }

  function make(tag, style, attributes) {
    const element = document.createElement(tag);
    Object.assign(element.style, style);
    for (const name in attributes) {
      element.setAttribute(name, attributes[name]);
    }
    return element;
  }

  function makeFrame(embed, title) {
    embed.frame = make(
      "iframe",
      { display: "block", width: "100%", border: "0" },
      { src: checkoutUrl(embed.slug, true), title, allow: "payment" },
    );
    embeds.add(embed);
    return embed.frame;
  }

  // The new element keeps the placeholder's id, classes and data attributes,
  // so the host page's styles and selectors still find it.
  function replace(placeholder, tag, info) {
    const element = document.createElement(tag);
    for (const { name, value } of placeholder.attributes) {
      if (name === "id" || name === "class" || name.startsWith("data-")) {
        element.setAttribute(name, value);
      }
    }
    element.textContent = placeholder.textContent.trim() || info.title || "";
    placeholder.replaceWith(element);
    return element;
  }

  function styleButton(element, info) {
    if (element.dataset.kassaStyle === "none") {
      return;
    }
    Object.assign(element.style, {
      display: "inline-block",
      padding: "0.7em 1.4em",
      border: "0",
      borderRadius: "6px",
      background: info.color || "#1b1d21",
      color: info.textColor || "#fff",
      font: "inherit",
      fontWeight: "600",
      lineHeight: "1.2",
      textDecoration: "none",
      cursor: "pointer",
    });
  }

  function setUpButton(placeholder, slug, info) {
    if (!(info.frameable && canFrame)) {
      const link =
        placeholder.tagName === "A" ? placeholder : replace(placeholder, "a", info);
      link.href = checkoutUrl(slug);
      link.target = "_blank";
      link.rel = "noopener";
      styleButton(link, info);
      return;
    }
    const button = replace(placeholder, "button", info);
    button.type = "button";
    button.setAttribute("aria-haspopup", "dialog");
    styleButton(button, info);
    button.addEventListener("click", () => {
      if (canFrame) {
        openOverlay(button, slug, info);
      } else {
        window.open(checkoutUrl(slug), "_blank", "noopener");
      }
    });
  }

  function setUpInline(container, slug, info) {
    if (info.frameable && canFrame) {
      const frame = makeFrame({ slug, element: container }, info.title);
      // The frame is as tall as the checkout, so it never needs a scrollbar.
      frame.setAttribute("scrolling", "no");
      frame.style.height = "600px";
      container.replaceChildren(frame);
    }
  }

  // Tab and Shift+Tab stay inside the open overlay: a guard before and after
  // its content sends focus round to the other end.
  function focusGuard(onFocus) {
    const guard = make("span", { position: "absolute" }, { tabindex: "0" });
    guard.addEventListener("focus", onFocus);
    return guard;
  }

  function openOverlay(button, slug, info) {
    const embed = { slug, element: button };
    const dialog = make(
      "dialog",
      {
        position: "fixed",
        inset: "0",
        width: "100%",
        height: "100%",
        maxWidth: "none",
        maxHeight: "none",
        margin: "0",
        padding: "1rem",
        border: "0",
        boxSizing: "border-box",
        background: "rgba(0, 0, 0, 0.6)",
      },
      { "aria-label": info.title || "" },
    );
    const panel = make("div", {
      position: "relative",
      maxWidth: "960px",
      height: "100%",
      margin: "0 auto",
      background: "#fff",
      borderRadius: "8px",
      overflow: "hidden",
    });
    const close = make(
      "button",
      {
        position: "absolute",
        top: "8px",
        right: "8px",
        width: "40px",
        height: "40px",
        padding: "0",
        border: "1px solid #ccc",
        borderRadius: "50%",
        background: "#fff",
        color: "#111",
        font: "24px/1 sans-serif",
        cursor: "pointer",
      },
      { type: "button", "aria-label": info.close || "Close" },
    );
    close.textContent = "\u00d7";
    const frame = makeFrame(embed, info.title);
    frame.style.height = "100%";
    panel.append(close, frame);
    dialog.append(
      focusGuard(() => {
        frame.focus();
        // Until the checkout reports kassa:ready the frame may still hold a
        // blank page of this page's origin, and a message naming ORIGIN as
        // its target would fail with a console error.
        if (embed.ready) {
          frame.contentWindow.postMessage({ type: "kassa:focus", last: true }, ORIGIN);
        }
      }),
      panel,
      focusGuard(() => close.focus()),
    );
    embed.dialog = dialog;

    close.addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) {
        dialog.close();
      }
    });
    const overflow = document.documentElement.style.overflow;
    dialog.addEventListener("close", () => {
      embeds.delete(embed);
      dialog.remove();
      document.documentElement.style.overflow = overflow;
      button.focus();
      emit(button, "kassa:close", { slug, completed: !!embed.completed });
    });

    document.documentElement.style.overflow = "hidden";
    document.body.append(dialog);
    dialog.showModal();
    close.focus();
    emit(button, "kassa:open", { slug });
  }

  function complete(embed, data) {
    if (typeof data.receiptUrl !== "string") {
      return;
    }
    embed.completed = true;
    const redirectUrl = /^https?:\/\//i.test(data.redirectUrl) ? data.redirectUrl : null;
    const detail = {
      slug: embed.slug,
      receiptUrl: data.receiptUrl,
      status: data.status,
      redirectUrl,
    };
    if (emit(embed.element, "kassa:complete", detail) && redirectUrl) {
      location.assign(redirectUrl);
    }
  }

  function receive(embed, data) {
    if (data.type === "kassa:ready") {
      // An inline checkout counts as open once its first page has loaded.
      if (!embed.dialog && !embed.ready) {
        emit(embed.element, "kassa:open", { slug: embed.slug });
      }
      embed.ready = true;
    }
    if (data.type === "kassa:ready" || data.type === "kassa:resize") {
      if (!embed.dialog && data.height > 0) {
        embed.frame.style.height = `${Math.ceil(data.height)}px`;
      }
    } else if (data.type === "kassa:complete") {
      complete(embed, data);
    } else if (data.type === "kassa:escape" && embed.dialog) {
      embed.dialog.close();
    }
  }

  window.addEventListener("message", (event) => {
    if (event.origin !== ORIGIN || !event.data) {
      return;
    }
    for (const embed of embeds) {
      if (embed.frame.contentWindow === event.source) {
        receive(embed, event.data);
      }
    }
  });

  // This page's Content Security Policy blocked a checkout frame: open the
  // checkout in a new tab now, while the click still counts, and from then on.
  // Chromium reports a blocked frame on the document, with only the origin as
  // its blocked URI, so every frame that has not loaded yet counts as blocked.
  document.addEventListener("securitypolicyviolation", (event) => {
    if (!/^(frame|child|default)-src$/.test(event.effectiveDirective)) {
      return;
    }
    if (event.blockedURI !== ORIGIN && !event.blockedURI.startsWith(`${ORIGIN}/`)) {
      return;
    }
    for (const embed of embeds) {
      if (embed.ready) {
        continue;
      }
      canFrame = false;
      embeds.delete(embed);
      if (embed.dialog) {
        embed.dialog.close();
        window.open(checkoutUrl(embed.slug), "_blank", "noopener");
      } else {
        const link = make("a", {}, { href: checkoutUrl(embed.slug), target: "_blank" });
        link.rel = "noopener";
        link.textContent = embed.frame.title;
        embed.frame.replaceWith(link);
      }
    }
  });

  function scan() {
    const selector = "[data-kassa-button], [data-kassa-checkout]";
    for (const element of document.querySelectorAll(selector)) {
      const anchor = element.closest("a[href]") || element.querySelector("a[href]");
      // Already set up, or meant for another Kassa server's script.
      if (element.dataset.kassaReady || (anchor && anchor.origin !== ORIGIN)) {
        continue;
      }
      element.dataset.kassaReady = "true";
      const button = element.dataset.kassaButton;
      const slug = button || element.dataset.kassaCheckout;
      settings(slug).then((info) => {
        if (button) {
          setUpButton(element, slug, info);
        } else {
          setUpInline(element, slug, info);
        }
      });
    }
  }

  registry[ORIGIN] = { scan };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
})();
