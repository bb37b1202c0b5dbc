// Second opinions: copying a review link, comments on moments of a recording that seek its
// player, and taking a comment's time from the player. Every page works without this file.
"use strict";

(function () {
  function enhance(root) {
    root.querySelectorAll("[data-copy][hidden], [data-moment-now][hidden]").forEach((button) => {
      if (button.dataset.copy && !navigator.clipboard) return;
      button.hidden = false;
    });
  }

  document.addEventListener("click", (event) => {
    const seek = event.target.closest("[data-seek-ms]");
    if (seek) {
      const player = document.getElementById(seek.dataset.player);
      if (!player) return;
      event.preventDefault();
      player.currentTime = Number(seek.dataset.seekMs) / 1000;
      player.focus();
      player.play().catch(() => {});
      return;
    }
    const now = event.target.closest("[data-moment-now]");
    if (now) {
      const player = document.getElementById(now.dataset.momentNow);
      const form = now.closest("form");
      if (!player || !form) return;
      form.querySelector('input[name$="-at"]').value = window.InterviewPrep.formatSeconds(Math.floor(player.currentTime));
      form.querySelector('input[name$="-text"]').focus();
      return;
    }
    const copy = event.target.closest("[data-copy]");
    if (copy) {
      const source = document.getElementById(copy.dataset.copy);
      const status = document.querySelector("[data-copy-status]");
      navigator.clipboard.writeText(source.value).then(
        () => { status.textContent = "The link is copied."; },
        () => { source.select(); status.textContent = "Copying failed: the link is selected, copy it with Ctrl+C."; }
      );
    }
  });

  // A save that failed says so; the text stays in the form and goes with the next change.
  function saveFailed(event) {
    const form = event.detail.elt.closest(".review-form");
    const status = form && form.querySelector(".save-status");
    if (!status) return;
    const code = event.detail.xhr ? event.detail.xhr.status : 0;
    status.classList.add("problem");
    if (code === 410) {
      status.textContent = "Not saved: this review link is no longer valid.";
    } else if (code === 429) {
      status.textContent = "Not saved: too many saves from your network. Wait a minute, then press Save; your work stays here.";
    } else {
      status.textContent = "Not saved: the server could not be reached. Your work stays here and is sent with your next change, or press Save.";
    }
  }
  document.addEventListener("htmx:responseError", saveFailed);
  document.addEventListener("htmx:sendError", saveFailed);

  document.addEventListener("DOMContentLoaded", () => enhance(document));
  document.addEventListener("htmx:afterSwap", (event) => enhance(event.detail.elt.parentElement || document));
})();
