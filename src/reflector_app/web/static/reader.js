// The reader: player, waveform, follow-along highlight, click-to-seek and keyboard control.
// Enhances the server-rendered turns; never builds HTML from strings (textContent only).
import { drawWaveform } from "./waveform.js";

const article = document.querySelector("article.reader");
const audio = document.getElementById("audio");
const turnsList = document.getElementById("turns");
const turns = turnsList ? Array.from(turnsList.querySelectorAll("li.turn")) : [];
const starts = turns.map((li) => Number(li.dataset.start));
const wordsData = document.getElementById("turn-words");
const words = wordsData ? JSON.parse(wordsData.textContent) : [];
const expanded = new Set();
let currentTurn = -1;
let currentWord = null;
let lastUserScroll = 0;

/** Index of the last element of sorted `values` that is <= x (or -1). */
function lastAtOrBefore(values, x) {
  let lo = 0, hi = values.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] <= x) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
  }
  return found;
}

/** Replace a turn's single text node by one <span> per word (only for turns near the viewport or playing). */
function expand(i) {
  if (expanded.has(i) || !words[i]) return;
  expanded.add(i);
  const p = turns[i].querySelector(".text");
  const spans = words[i].map(([start, end, text], k) => {
    const span = document.createElement("span");
    span.textContent = k === 0 ? text.trimStart() : text;
    span.dataset.s = start;
    span.dataset.e = end;
    return span;
  });
  p.replaceChildren(...spans);
}

function seek(seconds, play = true) {
  if (!audio) return;
  audio.currentTime = Math.max(0, seconds);
  if (play) audio.play().catch(() => {});
  follow(true);
}

function follow(force = false) {
  if (!audio || turns.length === 0) return;
  const now = audio.currentTime;
  const i = lastAtOrBefore(starts, now);
  if (i !== currentTurn) {
    if (currentTurn >= 0) turns[currentTurn].classList.remove("playing");
    currentTurn = i;
    if (i >= 0) {
      turns[i].classList.add("playing");
      expand(i);
      if (force || Date.now() - lastUserScroll > 4000) {
        turns[i].scrollIntoView({ block: "center", behavior: force ? "auto" : "smooth" });
      }
    }
  }
  if (i < 0) return;
  const w = words[i] || [];
  const k = lastAtOrBefore(w.map((x) => x[0]), now);
  const span = k >= 0 ? turns[i].querySelector(".text").children[k] : null;
  if (span !== currentWord) {
    if (currentWord) currentWord.classList.remove("now");
    currentWord = span;
    if (span) span.classList.add("now");
  }
}

function tick() {
  follow();
  if (audio && !audio.paused) requestAnimationFrame(tick);
}

function onKey(event) {
  const tag = event.target.tagName;
  if (["INPUT", "TEXTAREA", "SELECT", "BUTTON"].includes(tag) || event.target.isContentEditable) return;
  if (event.ctrlKey || event.metaKey || event.altKey || !audio) return;
  const at = Math.max(currentTurn, lastAtOrBefore(starts, audio.currentTime));
  switch (event.key) {
    case " ": audio.paused ? audio.play().catch(() => {}) : audio.pause(); break;
    case "ArrowLeft": seek(audio.currentTime - 5, !audio.paused); break;
    case "ArrowRight": seek(audio.currentTime + 5, !audio.paused); break;
    case "j": if (at + 1 < turns.length) seek(starts[at + 1], !audio.paused); break;
    case "k": if (at - 1 >= 0) seek(starts[at - 1], !audio.paused); break;
    default: return;
  }
  event.preventDefault();
}

// The owner's reassign form (server-rendered in the edit panel): filled from a turn's "reassign" link or
// from selected text, and shown floating where the reader is. Submitting it is a plain form post.
const reassignForm = document.getElementById("reassign-form");

function offerReassign(start, end, speaker) {
  if (!reassignForm || !(end > start)) return;
  reassignForm.elements.start.value = start.toFixed(2);
  reassignForm.elements.end.value = end.toFixed(2);
  reassignForm.elements.speaker.value = speaker == null ? "" : String(speaker);
  for (const option of reassignForm.elements.to.options) option.disabled = speaker != null && option.value === String(speaker);
  if (reassignForm.elements.to.selectedOptions[0]?.disabled) {
    reassignForm.elements.to.value = Array.from(reassignForm.elements.to.options).find((o) => !o.disabled)?.value ?? "";
  }
  reassignForm.closest("details").open = true; // a closed <details> hides its forms
  reassignForm.classList.add("floating");
  reassignForm.querySelector(".reassign-close").hidden = false;
  reassignForm.elements.to.focus({ preventScroll: true });
}

/** Seconds at one end of a selection: its word's time, else its turn's. */
function timeAt(node, edge) {
  const el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  const span = el && el.closest("span[data-s]");
  if (span) return Number(edge === "start" ? span.dataset.s : span.dataset.e);
  const turn = el && el.closest("li.turn");
  return turn ? Number(edge === "start" ? turn.dataset.start : turn.dataset.end) : NaN;
}

function selectionToReassign() {
  const selection = window.getSelection();
  if (!reassignForm || !selection || selection.isCollapsed || selection.rangeCount === 0) return;
  const range = selection.getRangeAt(0);
  if (!turnsList.contains(range.commonAncestorContainer)) return;
  offerReassign(timeAt(range.startContainer, "start"), timeAt(range.endContainer, "end"), null);
}

function setUp() {
  if (reassignForm) {
    reassignForm.querySelector(".reassign-close").addEventListener("click", () => {
      reassignForm.classList.remove("floating");
      reassignForm.querySelector(".reassign-close").hidden = true;
    });
  }
  if (turnsList) {
    turnsList.addEventListener("mouseup", () => setTimeout(selectionToReassign, 0));
    turnsList.addEventListener("click", (event) => {
      const reassign = event.target.closest("a.reassign");
      if (reassign && reassignForm) {
        const li = reassign.closest("li.turn");
        event.preventDefault();
        offerReassign(Number(li.dataset.start), Number(li.dataset.end), Number(li.dataset.speaker));
        return;
      }
      if (window.getSelection && String(window.getSelection()).length > 0) return; // selecting text, not seeking
      const word = event.target.closest("span[data-s]");
      const turn = event.target.closest("li.turn");
      if (!turn) return;
      event.preventDefault();
      seek(word ? Number(word.dataset.s) : Number(turn.dataset.start));
    });
    const near = new IntersectionObserver((entries) => {
      for (const e of entries) if (e.isIntersecting) expand(Number(e.target.dataset.i));
    }, { rootMargin: "600px 0px" });
    turns.forEach((li) => near.observe(li));
    window.addEventListener("wheel", () => { lastUserScroll = Date.now(); }, { passive: true });
    window.addEventListener("touchmove", () => { lastUserScroll = Date.now(); }, { passive: true });
  }
  const topics = document.getElementById("topics");
  if (topics && audio) {
    // Topics and action items seek the player (without JavaScript their links reload at ?t=).
    topics.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-start]");
      if (!link) return;
      event.preventDefault();
      seek(Number(link.dataset.start));
    });
  }
  if (audio) {
    audio.addEventListener("play", () => requestAnimationFrame(tick));
    audio.addEventListener("seeked", () => follow());
    audio.addEventListener("timeupdate", () => follow());
    document.addEventListener("keydown", onKey);
    const speed = document.getElementById("speed");
    speed.addEventListener("change", () => { audio.playbackRate = Number(speed.value); });
    const canvas = document.getElementById("wave-canvas");
    if (canvas) drawWaveform(canvas, `${article.dataset.base}/waveform`, audio, (t) => seek(t, !audio.paused));
    const t = Number(new URLSearchParams(location.search).get("t"));
    if (t > 0) {
      const go = () => seek(t, false);
      audio.readyState >= 1 ? go() : audio.addEventListener("loadedmetadata", go, { once: true });
    }
  }
  if (!["done", "failed"].includes(article.dataset.status)) {
    // Still processing: follow the status and reload once the transcript is there.
    const events = new EventSource(`/v1/transcripts/${encodeURIComponent(article.dataset.id)}/events`);
    events.addEventListener("status", (msg) => {
      const data = JSON.parse(msg.data);
      document.getElementById("status").textContent = data.status;
      const stage = document.getElementById("stage");
      stage.textContent = data.stage ? `${data.stage}${data.progress != null ? ` ${Math.round(data.progress * 100)} %` : ""}` : "";
      if (data.status === "done" || data.status === "failed") { events.close(); location.reload(); }
    });
  }
  // Time-to-interactive mark for the browser tests: handlers are attached from here on.
  document.documentElement.dataset.interactive = String(performance.now());
}

setUp();
