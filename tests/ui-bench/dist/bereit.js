// The bare window's only script: one command round trip, then mark the page ready.
// The bench measures from the WebDriver new-session request to `data-bereit="1"`.
"use strict";
window.__TAURI_INTERNALS__.invoke("ping").then(() => {
  document.body.dataset.bereit = "1";
});
