// Spoken answers on the answer step (templates/sessions/_recorder.html). The recording is sent
// in chunks while it runs; each chunk stays in the page until the server acknowledges it, and
// a failed upload is retried with backoff. Without a microphone API the section is taken away
// and the page is the typed answer alone.
"use strict";

(function () {
  const supported = Boolean(
    navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder
  );
  // In the order we prefer them; the server recognises each from its bytes.
  const TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4;codecs=mp4a.40.2", "audio/mp4"];
  const RETRY_BASE_MS = 1000;
  const RETRY_MAX_MS = 15000;

  function formatMs(ms) {
    return window.InterviewPrep.formatSeconds(Math.floor(ms / 1000));
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  function chosenType() {
    return TYPES.find((type) => MediaRecorder.isTypeSupported(type)) || "";
  }

  function microphoneProblem(error) {
    const name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "The microphone is not allowed for this site, so nothing is recorded. You can still type your answer; to record, allow the microphone in your browser's site settings and try again.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return "No microphone was found. You can still type your answer.";
    }
    if (name === "NotReadableError") {
      return "The microphone is in use by another program. You can still type your answer.";
    }
    return "Recording could not start (" + (name || "unknown problem") + "). You can still type your answer.";
  }

  function setUp(section) {
    if (section.dataset.enhanced) return;
    section.dataset.enhanced = "1";
    if (!supported) {
      section.hidden = true;
      return;
    }
    section.dataset.ready = "1";

    const step = section.closest(".interview-step");
    const form = step && step.querySelector("form.answer-form");
    const button = section.querySelector("[data-recorder-toggle]");
    const elapsedDisplay = section.querySelector("[data-recorder-elapsed]");
    const meter = section.querySelector("[data-recorder-level]");
    const status = section.querySelector("[data-recorder-status]");
    const uploadUrl = section.dataset.uploadUrl;
    const timeslice = Number(section.dataset.timesliceMs);
    const maxMs = Number(section.dataset.maxMs);
    const flushMs = Number(section.dataset.flushMs);
    let nextSegment = Number(section.dataset.nextSegment);
    // What earlier segments (before a reload) recorded, as the server kept it.
    let recordedBefore = Number(section.dataset.recordedMs);

    const queue = [];
    let acknowledged = 0;
    let uploading = false;
    let refused = false;
    let session = null; // the running recording: recorder, stream, audio graph, clock

    function say(message, problem) {
      status.textContent = message;
      status.classList.toggle("problem", Boolean(problem));
    }

    function recordedMs() {
      if (!session) return recordedBefore;
      return recordedBefore + (performance.now() - session.startedAt);
    }

    function tick() {
      if (!session) return;
      elapsedDisplay.textContent = formatMs(recordedMs());
      if (session.analyser) {
        const samples = new Float32Array(session.analyser.fftSize);
        session.analyser.getFloatTimeDomainData(samples);
        let sum = 0;
        for (const value of samples) sum += value * value;
        meter.value = Math.min(1, Math.sqrt(sum / samples.length) * 4);
      }
      if (recordedMs() >= maxMs) {
        say("The recording stopped at the time allowed for this answer.");
        stop();
        return;
      }
      session.timer = setTimeout(tick, 200);
    }

    async function send(piece) {
      const body = new FormData();
      body.append("segment", String(piece.segment));
      body.append("sequence", String(piece.sequence));
      body.append("elapsed_ms", String(Math.round(piece.elapsedMs)));
      body.append("chunk", piece.blob, "chunk");
      let response;
      try {
        response = await fetch(uploadUrl, {
          method: "POST",
          body: body,
          headers: { "X-CSRFToken": csrfToken() },
          credentials: "same-origin",
        });
      } catch (error) {
        return { retry: true, message: "No connection to the server; the recording is kept here and sent again." };
      }
      let reply = {};
      try {
        reply = await response.json();
      } catch (error) {
        reply = {};
      }
      if (response.ok && reply.segment === piece.segment && reply.sequence === piece.sequence) {
        return { acknowledged: true };
      }
      if (response.status >= 400 && response.status < 500 && reply.final) {
        return { refused: true, message: reply.error };
      }
      if (response.status === 401) {
        return { retry: true, message: "You have been logged out; log in again in another tab and the recording will be sent." };
      }
      return { retry: true, message: "The server did not keep a piece of the recording (" + response.status + "); it is kept here and sent again." };
    }

    async function pump() {
      if (uploading) return;
      uploading = true;
      while (queue.length) {
        const piece = queue[0];
        const result = await send(piece);
        if (result.acknowledged) {
          queue.shift();
          acknowledged += 1;
          section.dataset.acknowledged = String(acknowledged);
          if (session) say("Recording. Everything up to " + formatMs(piece.elapsedMs) + " is saved.");
          else if (!queue.length) say("Your recording is saved (" + formatMs(piece.elapsedMs) + ").");
        } else if (result.refused) {
          queue.length = 0;
          refused = true;
          say(result.message, true);
          stop();
        } else {
          say(result.message, true);
          piece.attempts += 1;
          await sleep(Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (piece.attempts - 1)));
        }
      }
      uploading = false;
      section.dispatchEvent(new CustomEvent("recorder:drained"));
    }

    function drained(limitMs) {
      if (!queue.length) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), limitMs);
        section.addEventListener(
          "recorder:drained",
          () => {
            clearTimeout(timer);
            resolve(!queue.length);
          },
          { once: true }
        );
      });
    }

    async function start() {
      if (refused) return;
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (error) {
        say(microphoneProblem(error), true);
        return;
      }
      const type = chosenType();
      const recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
      const segment = nextSegment;
      nextSegment += 1;
      let sequence = 0;
      // The time recorded before this segment, fixed now: stop() moves recordedBefore on
      // before the segment's last piece arrives.
      const current = {
        recorder: recorder, stream: stream, startedAt: performance.now(), stoppedAt: null,
        before: recordedBefore, timer: null,
      };
      try {
        current.audio = new AudioContext();
        current.analyser = current.audio.createAnalyser();
        current.analyser.fftSize = 1024;
        current.audio.createMediaStreamSource(stream).connect(current.analyser);
      } catch (error) {
        current.analyser = null; // the level meter is a nicety
      }
      recorder.addEventListener("dataavailable", (event) => {
        if (!event.data || !event.data.size) return;
        const end = current.stoppedAt === null ? performance.now() : current.stoppedAt;
        const elapsed = current.before + (end - current.startedAt);
        queue.push({ segment: segment, sequence: sequence, blob: event.data, elapsedMs: elapsed, attempts: 0 });
        sequence += 1;
        pump();
      });
      current.stopped = new Promise((resolve) => recorder.addEventListener("stop", resolve, { once: true }));
      session = current;
      recorder.start(timeslice);
      section.dataset.state = "recording";
      button.textContent = "Stop recording";
      button.setAttribute("aria-pressed", "true");
      say("Recording. Speak your answer; you can type notes at the same time.");
      document.dispatchEvent(new CustomEvent("recorder:start", { detail: { section: section } }));
      tick();
    }

    async function stop() {
      const current = session;
      if (!current) return;
      // The time recorded so far counts for the next segment's clock.
      current.stoppedAt = performance.now();
      recordedBefore = current.before + (current.stoppedAt - current.startedAt);
      session = null;
      clearTimeout(current.timer);
      if (current.recorder.state !== "inactive") current.recorder.stop();
      current.stream.getTracks().forEach((track) => track.stop());
      if (current.audio) current.audio.close();
      meter.value = 0;
      elapsedDisplay.textContent = formatMs(recordedBefore);
      section.dataset.state = "stopped";
      button.textContent = "Record your answer";
      button.setAttribute("aria-pressed", "false");
      document.dispatchEvent(new CustomEvent("recorder:stop", { detail: { section: section } }));
      await current.stopped;
      if (queue.length) say("Saving the end of your recording…");
    }

    // Stop, and give pending chunks a bounded time to arrive; true when all did.
    section.recorderFlush = async function () {
      await stop();
      return drained(flushMs);
    };

    button.addEventListener("click", () => (session ? stop() : start()));

    if (form) {
      // Before the answer is sent (by the button, Ctrl+Enter or the countdown at zero), stop
      // recording and wait, bounded, for the pieces not yet acknowledged.
      form.addEventListener(
        "submit",
        async (event) => {
          if (form.dataset.recordingFlushed || (!session && !queue.length)) return;
          // "Save draft" saves the text and leaves the recording running.
          if (event.submitter && event.submitter.hasAttribute("formaction")) return;
          event.preventDefault();
          event.stopImmediatePropagation();
          const submitter = event.submitter;
          const allSaved = await section.recorderFlush();
          if (!allSaved) say("Part of the end of your recording could not be sent in time.", true);
          form.dataset.recordingFlushed = "1";
          form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
        },
        true
      );
    }

    window.addEventListener("beforeunload", (event) => {
      if (queue.length && section.isConnected) event.preventDefault();
    });
  }

  function enhance(root) {
    root.querySelectorAll("[data-recorder]").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", () => enhance(document));
  document.addEventListener("htmx:load", (event) => enhance(event.detail.elt));
})();
