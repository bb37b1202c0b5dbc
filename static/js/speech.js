// The browser's voice on the answer step (templates/sessions/_speech.html): "Read the question
// aloud" with speech synthesis, reading each question when it appears if the user asked for it
// in Settings, and, if they asked for that too, a transcript of what they say while recording
// (the Web Speech API) typed into the answer box, where it stays editable and is autosaved and
// submitted like typed text.
"use strict";

(function () {
  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;

  function languageTag() {
    const lang = document.documentElement.lang || "en";
    const [language, region] = lang.split("-");
    return region ? language + "-" + region.toUpperCase() : language;
  }

  function setUp(panel) {
    if (panel.dataset.enhanced) return;
    panel.dataset.enhanced = "1";
    const step = panel.closest(".interview-step");
    const prompt = step && step.querySelector(".prompt");
    const answer = step && step.querySelector("textarea[name=answer]");
    // What recognition heard, as it heard it, sent beside the answer: the delivery figures
    // count these words, not the answer box's, which also holds what was typed.
    const transcript = step && step.querySelector("input[data-transcript]");
    const readButton = panel.querySelector("[data-read-question]");
    const status = panel.querySelector("[data-speech-status]");

    function say(message, problem) {
      status.textContent = message;
      status.classList.toggle("problem", Boolean(problem));
    }

    // Reading the question aloud.
    if (!(window.speechSynthesis && window.SpeechSynthesisUtterance && prompt)) {
      readButton.hidden = true;
    } else {
      readButton.dataset.ready = "1";
      const read = (automatic) => {
        window.speechSynthesis.cancel();
        const utterance = new SpeechSynthesisUtterance(prompt.textContent.trim());
        utterance.lang = languageTag();
        utterance.onerror = (event) => {
          if (automatic && event.error === "not-allowed") {
            say("Your browser reads aloud only after a click here: use “Read the question aloud”.");
          }
        };
        window.speechSynthesis.speak(utterance);
      };
      readButton.addEventListener("click", () => read(false));
      if (panel.dataset.readAloud === "on") read(true);
      // A question read aloud stops when the page moves on.
      document.addEventListener("htmx:beforeSwap", () => window.speechSynthesis.cancel(), { once: true });
    }

    // Transcribing while recording.
    if (panel.dataset.transcribe !== "on" || !answer) return;
    if (!Recognition) {
      say("This browser cannot transcribe speech; your recording is kept without a transcript.");
      return;
    }
    let recognition = null;
    let recording = false;
    let interimShown = "";

    function write(finalText, interim) {
      let value = answer.value;
      if (interimShown && value.endsWith(interimShown)) value = value.slice(0, -interimShown.length);
      if (finalText) {
        value += (value && !/\s$/.test(value) ? " " : "") + finalText.trim();
        if (transcript) transcript.value = (transcript.value + " " + finalText.trim()).trim();
      }
      const shownInterim = interim ? (value && !/\s$/.test(value) ? " " : "") + interim.trim() : "";
      answer.value = value + shownInterim;
      interimShown = shownInterim;
      if (finalText) {
        // htmx's autosave listens for input; the transcript is saved like typing.
        answer.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }

    async function where(candidate) {
      // On-device recognition where the browser offers it; otherwise the audio goes to the
      // browser's maker, and the user is told so.
      if (!("processLocally" in candidate)) return false;
      try {
        if (typeof Recognition.available === "function") {
          const availability = await Recognition.available({ langs: [candidate.lang], processLocally: true });
          if (availability !== "available") return false;
        }
        candidate.processLocally = true;
        return true;
      } catch (error) {
        return false;
      }
    }

    async function start() {
      const candidate = new Recognition();
      candidate.lang = languageTag();
      candidate.continuous = true;
      candidate.interimResults = true;
      const local = await where(candidate);
      say(
        local
          ? "Transcribing on your device: your words appear in the answer box, where you can edit them."
          : "Transcribing: your browser sends the audio to its maker's speech service to recognise it. Your words appear in the answer box, where you can edit them. Turn this off in Settings."
      );
      candidate.addEventListener("result", (event) => {
        if (recognition !== candidate) return; // late words after the recording stopped
        let finalText = "";
        let interim = "";
        for (let index = event.resultIndex; index < event.results.length; index += 1) {
          const result = event.results[index];
          if (result.isFinal) finalText += result[0].transcript;
          else interim += result[0].transcript;
        }
        write(finalText, interim);
      });
      candidate.addEventListener("error", (event) => {
        if (event.error === "not-allowed" || event.error === "service-not-allowed") {
          say("Speech recognition is not allowed in this browser; your recording is kept without a transcript.", true);
          recording = false;
        } else if (event.error === "network") {
          say("Speech recognition needs a connection to your browser's speech service; the recording goes on.", true);
        }
      });
      candidate.addEventListener("end", () => {
        // Browsers end recognition after a pause; go on while the recording does.
        if (recording && recognition === candidate) candidate.start();
      });
      recognition = candidate;
      candidate.start();
    }

    document.addEventListener("recorder:start", (event) => {
      if (!step.contains(event.detail.section)) return;
      recording = true;
      start();
    });
    document.addEventListener("recorder:stop", (event) => {
      if (!step.contains(event.detail.section)) return;
      recording = false;
      // What is shown so far stays as it is, before the answer may be sent.
      if (interimShown) {
        interimShown = "";
        answer.dispatchEvent(new Event("input", { bubbles: true }));
      }
      const stopping = recognition;
      recognition = null;
      if (stopping) stopping.stop();
    });
  }

  function enhance(root) {
    root.querySelectorAll("[data-speech]").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", () => enhance(document));
  document.addEventListener("htmx:load", (event) => enhance(event.detail.elt));
})();
