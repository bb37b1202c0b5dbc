// Small progressive enhancements; every page works without this file.
"use strict";

(function () {
  function formatSeconds(total) {
    const minutes = Math.floor(total / 60);
    const seconds = total % 60;
    return minutes + ":" + String(seconds).padStart(2, "0");
  }

  // The countdown follows the server's deadline. The offset between the server's clock and
  // this page is fixed when the page arrives, and time is measured with performance.now(),
  // so changing the computer's clock moves nothing.
  function startCountdown(element) {
    if (element.dataset.started) return;
    element.dataset.started = "1";
    const deadline = Date.parse(element.dataset.deadline);
    const serverNow = Date.parse(element.dataset.now);
    const loadedAt = performance.now();
    const step = element.closest(".interview-step");
    const form = step.querySelector("form.answer-form");
    const announcer = step.querySelector("[data-countdown-announcer]");
    const display = document.createElement("strong");
    display.className = "countdown-display";
    display.setAttribute("aria-hidden", "true");
    element.prepend(display, " ");
    // Announce only when the count crosses a mark, not when the page opens past it.
    let previous = null;
    let submitted = false;

    function tick() {
      if (!element.isConnected) return;
      const now = serverNow + (performance.now() - loadedAt);
      const left = Math.max(0, Math.ceil((deadline - now) / 1000));
      display.textContent = formatSeconds(left) + " left";
      element.classList.toggle("urgent", left <= 30);
      if (previous !== null && previous > 60 && left <= 60 && left > 10) {
        announcer.textContent = "One minute left.";
      }
      if (previous !== null && previous > 10 && left <= 10 && left > 0) {
        announcer.textContent = "Ten seconds left.";
      }
      previous = left;
      if (left === 0 && !submitted) {
        submitted = true;
        announcer.textContent = "Time is up. Your answer is being submitted.";
        const ranOut = document.createElement("input");
        ranOut.type = "hidden";
        ranOut.name = "ran_out";
        ranOut.value = "1";
        form.append(ranOut);
        form.requestSubmit();
        return;
      }
      setTimeout(tick, 250);
    }
    tick();
  }

  function setSaveProblem(step, message) {
    const status = step && step.querySelector("#save-status");
    if (!status) return;
    status.textContent = message;
    status.classList.add("problem");
  }

  // The suggested rating for each number of key points ticked comes from the page
  // (sessions.grading.rating_table): the rule itself lives only on the server.
  function suggestedRatingLabel(form, covered) {
    const table = (form.dataset.ratingTable || "").split("|");
    return table[Math.min(covered, table.length - 1)] || "";
  }

  function updateSuggestion(form) {
    const hint = form.querySelector("[data-suggested-rating]");
    if (!hint) return;
    const covered = form.querySelectorAll('input[name="key_points"]:checked').length;
    hint.textContent =
      "Suggested from the key points you ticked: " + suggestedRatingLabel(form, covered) + ". You may choose otherwise.";
  }

  // Hovering or focusing a suggested key point marks its evidence in the answer.
  function linkEvidence(item) {
    const step = item.closest(".interview-step");
    const position = item.dataset.keyPoint;
    if (!step || !item.querySelector("[data-evidence-of]")) return;
    const spans = Array.from(step.querySelectorAll(".evidence[data-evidence-for]")).filter((span) =>
      span.dataset.evidenceFor.split(" ").includes(position)
    );
    const mark = (on) => spans.forEach((span) => span.classList.toggle("highlighted", on));
    item.addEventListener("mouseenter", () => mark(true));
    item.addEventListener("mouseleave", () => mark(false));
    item.addEventListener("focusin", () => mark(true));
    item.addEventListener("focusout", () => mark(false));
  }

  function enhance(root) {
    root.querySelectorAll('input[type=hidden][name="time_zone"]').forEach((input) => {
      if (!input.value) input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    });
    root.querySelectorAll(".countdown[data-deadline]").forEach(startCountdown);
    root.querySelectorAll(".js-hidden").forEach((element) => (element.hidden = true));
    // On a narrow screen the activity calendar scrolls; start at today, on the right.
    root.querySelectorAll(".chart-scroll").forEach((element) => {
      element.scrollLeft = element.scrollWidth;
    });
    root.querySelectorAll("form[data-rating-keys]").forEach((form) => {
      if (form.dataset.enhanced) return;
      form.dataset.enhanced = "1";
      form.addEventListener("change", () => updateSuggestion(form));
      updateSuggestion(form);
      form.querySelectorAll("[data-key-point]").forEach(linkEvidence);
    });
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.matches("[data-submit-on-ctrl-enter]")) {
      event.preventDefault();
      target.form.requestSubmit();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.matches("textarea, input[type=text], input[type=number], select")) return;
    const form = document.querySelector("form[data-rating-keys]");
    if (!form || !["1", "2", "3", "4"].includes(event.key)) return;
    const radio = form.querySelector('input[name="rating"][value="' + event.key + '"]');
    if (radio) {
      radio.checked = true;
      radio.focus();
      event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", () => enhance(document));
  document.addEventListener("htmx:load", (event) => enhance(event.detail.elt));

  // A failed autosave says so, and leaves the text in the box.
  document.addEventListener("htmx:responseError", (event) => {
    const step = event.detail.elt.closest(".interview-step");
    if (!step) return;
    if (event.detail.xhr.status === 401) {
      setSaveProblem(step, "Not saved: you have been logged out. Copy your text, log in again in another tab, then come back and save.");
    } else {
      setSaveProblem(step, "Not saved: the server refused it (" + event.detail.xhr.status + "). Your text is still here; try again.");
    }
  });
  document.addEventListener("htmx:sendError", (event) => {
    const step = event.detail.elt.closest(".interview-step");
    setSaveProblem(step, "Not saved: no connection to the server. Your text is still here; keep it open and try again.");
  });
})();
