// Live reload for `newsgen serve` only: the server adds this script to pages as it sends them;
// it is never written to the output folder.
(() => {
  "use strict";
  const script = document.currentScript;
  const pageVersion = Number(script ? script.dataset.newsgenVersion : 0);
  const serverId = script ? script.dataset.newsgenServer : "";
  const OVERLAY_ID = "newsgen-error-overlay";

  function showErrors(errors) {
    let overlay = document.getElementById(OVERLAY_ID);
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = OVERLAY_ID;
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;inset:0 0 auto 0;z-index:2147483647;max-height:70vh;overflow:auto;" +
        "margin:0;padding:1rem 1.25rem;background:#2b0a0a;color:#ffe9e9;" +
        "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;" +
        "border-bottom:4px solid #ff5c5c;box-shadow:0 4px 24px rgba(0,0,0,.5)";
      document.body.appendChild(overlay);
    }
    overlay.replaceChildren();
    const title = document.createElement("strong");
    title.textContent = "newsgen: the build failed (" + errors.length + " error" +
      (errors.length === 1 ? "" : "s") + "). The last good pages are still shown; " +
      "fix the file and save, and this goes away.";
    overlay.appendChild(title);
    const list = document.createElement("ul");
    list.style.cssText = "margin:.5rem 0 0;padding-left:1.25rem;white-space:pre-wrap";
    for (const error of errors) {
      const item = document.createElement("li");
      item.textContent = error;
      list.appendChild(item);
    }
    overlay.appendChild(list);
  }

  function clearErrors() {
    const overlay = document.getElementById(OVERLAY_ID);
    if (overlay) overlay.remove();
  }

  const events = new EventSource("/__newsgen__/events");
  events.addEventListener("state", (event) => {
    const state = JSON.parse(event.data);
    if (state.server !== serverId || state.version > pageVersion) {
      events.close();
      window.location.reload();
      return;
    }
    if (state.errors.length) showErrors(state.errors);
    else clearErrors();
  });
})();
