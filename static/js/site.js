// Small progressive enhancements; every page works without this file.
"use strict";

(function () {
  // Hints true only when this script runs are shown from now on, in room the page kept.
  document.documentElement.dataset.script = "on";

  // m:ss for a whole number of seconds; the recorder (recorder.js, loaded after this file)
  // uses it too.
  function formatSeconds(total) {
    const minutes = Math.floor(total / 60);
    const seconds = total % 60;
    return minutes + ":" + String(seconds).padStart(2, "0");
  }
  window.InterviewPrep = Object.assign(window.InterviewPrep || {}, { formatSeconds: formatSeconds });

  // The countdown follows the server's deadline. The offset between the server's clock and
  // this page is fixed when the page arrives, and time is measured with performance.now(),
  // so changing the computer's clock moves nothing.
  function startCountdown(element) {
    if (element.dataset.started) return;
    element.dataset.started = "1";
    const deadline = Date.parse(element.dataset.deadline);
    const serverNow = Date.parse(element.dataset.now);
    const graceMs = Number(element.dataset.graceSeconds || 0) * 1000;
    const loadedAt = performance.now();
    const step = element.closest(".interview-step");
    const form = step.querySelector("form.answer-form");
    const announcer = step.querySelector("[data-countdown-announcer]");
    // Written by the server at the same size, so that counting moves nothing.
    const display = element.querySelector(".countdown-display");
    // Until then the server still takes what this page sends (sessions.engine.submit).
    clocks.set(step, () => deadline + graceMs - (serverNow + (performance.now() - loadedAt)));
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

  // Each timed step's milliseconds left until the server stops taking what it sends.
  const clocks = new WeakMap();
  const FIRST_RETRY_MS = 500;
  const LONGEST_RETRY_MS = 8000;
  const UNTIMED_LONGEST_RETRY_MS = 30000;

  // A save or an automatic submission that could not reach the server is sent again, waiting
  // twice as long each time, for as long as the server would still take it. The text stays.
  function retryLater(step, what, send) {
    // One retry at a time: failures while one waits are covered by it.
    if (step.dataset[what + "Waiting"]) return;
    const attempt = Number(step.dataset[what + "Attempt"] || 0) + 1;
    step.dataset[what + "Attempt"] = String(attempt);
    const clock = clocks.get(step);
    const left = clock ? clock() : Infinity;
    const longest = clock ? LONGEST_RETRY_MS : UNTIMED_LONGEST_RETRY_MS;
    const wait = Math.min(FIRST_RETRY_MS * 2 ** (attempt - 1), longest, left - 250);
    const noun = what === "submit" ? "your answer" : "your draft";
    if (wait <= 0) {
      setSaveProblem(
        step,
        "The server could not be reached in time, so your last saved draft counts as your answer. " +
          "Your text is still here: copy it before you leave this page."
      );
      return;
    }
    setSaveProblem(
      step,
      "No connection to the server: trying again to send " + noun + " in " + Math.ceil(wait / 1000) +
        " s" + (clock ? " (the server takes it for " + Math.floor(left / 1000) + " s more)" : "") +
        ". Keep this page open; your text is still here."
    );
    step.dataset[what + "Waiting"] = "1";
    setTimeout(() => {
      delete step.dataset[what + "Waiting"];
      if (step.isConnected) send();
    }, wait);
  }

  function isAutoSubmit(element) {
    return element.matches("form.answer-form") && element.querySelector('input[name="ran_out"]') !== null;
  }

  function isAutosave(element) {
    return element.matches("[data-autosave]");
  }

  // Whether the request was one the page sends again by itself.
  function retryIfPending(step, element) {
    if (isAutoSubmit(element)) {
      retryLater(step, "submit", () => element.requestSubmit());
      return true;
    }
    if (isAutosave(element)) {
      retryLater(step, "save", () => htmx.trigger(step.querySelector("textarea[data-autosave]"), "save-again"));
      return true;
    }
    return false;
  }

  function setSaveProblem(step, message) {
    const status = step && step.querySelector("#save-status");
    if (!status) return;
    status.textContent = message;
    status.classList.add("problem");
    announce(step, message);
  }

  // The saved status changes with every pause in typing: only its problems are announced.
  function announce(step, message) {
    const announcer = step.querySelector("[data-countdown-announcer]");
    if (announcer) announcer.textContent = message;
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

  // Hovering or focusing a suggested key point, or a misconception found, marks its
  // evidence in the answer.
  function linkEvidence(item) {
    const step = item.closest(".interview-step");
    const position = item.dataset.evidenceKey;
    if (!step || item.dataset.evidenceLinked || !item.querySelector("[data-evidence-of]")) return;
    item.dataset.evidenceLinked = "1";
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
    // A box that scrolls (a long answer on a phone) is reached with the keyboard too.
    root.querySelectorAll("[data-scroll-region]").forEach((region) => {
      if (region.scrollHeight > region.clientHeight) {
        region.tabIndex = 0;
        region.setAttribute("role", "region");
        region.setAttribute("aria-label", region.dataset.regionLabel);
      }
    });
    // The reference answer is a disclosure, shut on a phone; a wide screen has room for it.
    root.querySelectorAll("details[data-open-on-wide]").forEach((details) => {
      if (!details.dataset.enhanced && window.matchMedia("(min-width: 52rem)").matches) details.open = true;
      details.dataset.enhanced = "1";
    });
    // On a narrow screen the activity calendar scrolls; start at today, on the right (also
    // when it is first unfolded: folded, it has no width to scroll).
    root.querySelectorAll(".chart-scroll").forEach((element) => {
      element.scrollLeft = element.scrollWidth;
      const fold = element.closest("details");
      if (fold && !fold.open) {
        fold.addEventListener("toggle", () => { element.scrollLeft = element.scrollWidth; }, { once: true });
      }
    });
    root.querySelectorAll("form[data-rating-keys]").forEach((form) => {
      if (form.dataset.enhanced) return;
      form.dataset.enhanced = "1";
      form.addEventListener("change", () => updateSuggestion(form));
      updateSuggestion(form);
      form.querySelectorAll("[data-key-point]").forEach(linkEvidence);
    });
    root.querySelectorAll(".misconceptions-stated [data-evidence-key]").forEach(linkEvidence);
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.matches("[data-submit-on-ctrl-enter]")) {
      event.preventDefault();
      // An empty answer is final: ask first, on the page. window.confirm() would stop the
      // page's scripts, and with them the countdown and its submission at zero.
      if (!target.value.trim() && !target.dataset.emptyConfirmed) {
        target.dataset.emptyConfirmed = "1";
        setSaveProblem(target.closest(".interview-step"), "The answer box is empty. Press Ctrl+Enter again to submit no answer, or type your answer.");
        return;
      }
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

  document.addEventListener("input", (event) => {
    if (event.target.dataset && event.target.dataset.emptyConfirmed) delete event.target.dataset.emptyConfirmed;
  });

  document.addEventListener("DOMContentLoaded", () => enhance(document));
  document.addEventListener("htmx:load", (event) => {
    const element = event.detail.elt;
    if (element.id === "save-status" && element.classList.contains("problem")) {
      announce(element.closest(".interview-step"), element.textContent.trim());
    }
    enhance(event.detail.elt);
    arrive(event.detail.elt);
  });

  // A new step (or the revealed answer) arrived in place of the old one: move focus to it, so
  // that the next Tab stays in it, say what it is and name the page after it.
  function arrive(element) {
    if (!element.matches("[data-arrival]")) return;
    if (element.dataset.title) document.title = element.dataset.title;
    const announcer = document.querySelector("[data-step-announcer]");
    if (announcer && element.dataset.announcement) announcer.textContent = element.dataset.announcement;
    const focus = element.querySelector("[data-focus-on-arrival]");
    if (focus) focus.focus();
  }

  // The token this page sends with every request: in hx-headers for htmx, and in each form.
  function useCsrfToken(token) {
    document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": token }));
    document.querySelectorAll('input[name="csrfmiddlewaretoken"]').forEach((input) => (input.value = token));
  }

  // Runs before htmx and before django-htmx's debug handler (which swaps a whole error page
  // in under DEBUG): the interview page deals with its own refusals and keeps the text.
  window.addEventListener(
    "htmx:beforeOnLoad",
    (event) => {
      const detail = event.detail;
      const xhr = detail.xhr;
      const element = detail.elt;
      const config = detail.requestConfig;
      const freshToken = xhr.getResponseHeader("X-Fresh-CSRF-Token");
      // Logging in (in this tab or another) rotates the token: send once more with the new one.
      if (xhr.status === 403 && freshToken && !config.headers["X-CSRF-Retry"]) {
        event.preventDefault();
        event.stopPropagation();
        useCsrfToken(freshToken);
        // Sent once this request has ended: until then htmx holds its lock on the form, and
        // the answer box's hx-sync="closest form:abort" would drop the new request.
        setTimeout(() => {
          if (element.isConnected) {
            htmx.ajax(config.verb, config.path, { source: element, headers: { "X-CSRF-Retry": "1" } });
          }
        }, 0);
        return;
      }
      if (xhr.status >= 400 && element.closest(".interview-step")) event.stopPropagation();
    },
    true
  );

  // A failed autosave or submission says so, and leaves the text in the box.
  document.addEventListener("htmx:responseError", (event) => {
    const step = event.detail.elt.closest(".interview-step");
    if (!step) return;
    const status = event.detail.xhr.status;
    if (status === 401) {
      setSaveProblem(step, "Not saved: you have been logged out. Copy your text, log in again in another tab, then come back and save.");
    } else if (status >= 500) {
      if (!retryIfPending(step, event.detail.elt)) {
        setSaveProblem(step, "Not saved: the server failed (" + status + "). Your text is still here; try again.");
      }
    } else {
      setSaveProblem(step, "Not saved: the server refused it (" + status + "). Your text is still here; try again.");
    }
  });
  document.addEventListener("htmx:sendError", (event) => {
    const step = event.detail.elt.closest(".interview-step");
    if (!step) return;
    if (!retryIfPending(step, event.detail.elt)) {
      setSaveProblem(step, "Not saved: no connection to the server. Your text is still here; keep it open and try again.");
    }
  });
  // Once the server answers again, the next failure starts waiting from the shortest time.
  document.addEventListener("htmx:afterRequest", (event) => {
    const step = event.detail.elt.closest && event.detail.elt.closest(".interview-step");
    if (!step || !event.detail.successful) return;
    delete step.dataset.submitAttempt;
    delete step.dataset.saveAttempt;
  });
})();
