// The room page: ask for consent before the call loads, keep focus inside the dialog until the
// visitor answers, then load the call and hand focus to it; keep the recording indicator current.
// Without this script the dialog is a plain form (the page reloads with the call).

const room = document.querySelector(".room");
const dialog = document.getElementById("consent");
const frame = document.getElementById("call");
const indicator = document.getElementById("recording");
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

const SENTENCES = {
  waiting: "Recording starts when someone is in the call.",
  requested: "Recording is starting…",
  started: "Recording",
  failed: "Recording could not be started. The room's owner has been told.",
  stopped: "Recording stopped by the room's owner.",
};

function loadCall() {
  if (!frame.getAttribute("src")) frame.setAttribute("src", room.dataset.callUrl);
  frame.focus();
}

function focusables() {
  return [...dialog.querySelectorAll("button, [href], input:not([type=hidden]), select, textarea, [tabindex]")]
    .filter((el) => !el.disabled && !el.hidden && el.getAttribute("tabindex") !== "-1");
}

// Tab and Shift+Tab cycle inside the dialog: the call behind it must not take focus before the answer.
function trapFocus(event) {
  if (event.key !== "Tab") return;
  const items = focusables();
  if (!items.length) return;
  const first = items[0];
  const last = items[items.length - 1];
  const inside = dialog.contains(document.activeElement);
  if (event.shiftKey && (document.activeElement === first || !inside)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
    event.preventDefault();
    first.focus();
  }
}

async function decide(choice) {
  const error = document.getElementById("consent-error");
  error.hidden = true;
  const headers = { "Content-Type": "application/json", "X-Participant-Token": room.dataset.token };
  if (csrf) headers["X-CSRFToken"] = csrf;
  const reply = await fetch(`/v1/meetings/${encodeURIComponent(room.dataset.meeting)}/participant-consent`, {
    method: "POST",
    headers,
    body: JSON.stringify({ choice }),
    credentials: "same-origin",
  });
  if (!reply.ok) {
    error.textContent = reply.status === 429 ? "Too many attempts; wait a minute." : "That did not work; try again.";
    error.hidden = false;
    return;
  }
  dialog.removeEventListener("keydown", trapFocus);
  dialog.close(choice);
  loadCall();
}

function askConsent() {
  // Re-open as a modal: the rest of the page becomes inert, Escape must not skip the question.
  if (dialog.open) dialog.close();
  dialog.showModal();
  dialog.addEventListener("cancel", (event) => event.preventDefault());
  dialog.addEventListener("keydown", trapFocus);
  dialog.querySelector("form").addEventListener("submit", (event) => {
    event.preventDefault();
    const choice = event.submitter?.value;
    if (choice) decide(choice);
  });
  document.getElementById("consent-agree").focus();
}

async function refreshRecording() {
  try {
    const reply = await fetch(`/v1/meetings/${encodeURIComponent(room.dataset.meeting)}/participant`, {
      headers: { "X-Participant-Token": room.dataset.token },
      credentials: "same-origin",
    });
    if (!reply.ok) return;
    const { recording } = await reply.json();
    if (!recording || indicator.classList.contains("rec-off") || indicator.classList.contains("rec-auto")) return;
    const state = recording.state ?? "waiting";
    const css = { requested: "waiting", started: "on" }[state] ?? state;
    indicator.className = `rec rec-${css}`;
    indicator.querySelector(".rec-text").textContent = SENTENCES[state];
  } catch {
    // The next poll tries again; the indicator keeps its last known state.
  }
}

if (dialog) askConsent();
setInterval(refreshRecording, 5000);
