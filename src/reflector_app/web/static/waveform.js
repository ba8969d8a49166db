// The waveform: peaks (0..1 at a fixed rate) from the stored waveform.json, drawn on a canvas,
// played part in the accent colour; a click seeks.

export async function drawWaveform(canvas, url, audio, onSeek) {
  let data;
  try {
    const reply = await fetch(url, { credentials: "same-origin" });
    if (!reply.ok) return;
    data = await reply.json();
  } catch {
    return;
  }
  const peaks = data.peaks || [];
  const duration = data.duration || audio.duration || peaks.length / (data.peaks_per_second || 10);
  const ctx = canvas.getContext("2d");
  const style = getComputedStyle(document.documentElement);
  const played = style.getPropertyValue("--accent").trim() || "#1f5fbf";
  const rest = "#a9b3c2";
  let bars = [];

  function resize() {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.floor(canvas.clientWidth * ratio));
    canvas.height = Math.floor(64 * ratio);
    const n = Math.max(1, Math.floor(canvas.width / (3 * ratio)));
    // One bar per 3 CSS pixels: the maximum peak of the slice it covers.
    bars = Array.from({ length: n }, (_, i) => {
      const from = Math.floor((i * peaks.length) / n);
      const to = Math.max(from + 1, Math.floor(((i + 1) * peaks.length) / n));
      let m = 0;
      for (let k = from; k < to && k < peaks.length; k++) m = Math.max(m, peaks[k]);
      return m;
    });
    paint();
  }

  function paint() {
    const w = canvas.width, h = canvas.height, n = bars.length;
    const at = duration ? audio.currentTime / duration : 0;
    ctx.clearRect(0, 0, w, h);
    const step = w / n;
    for (let i = 0; i < n; i++) {
      const bh = Math.max(1, bars[i] * h);
      ctx.fillStyle = i / n <= at ? played : rest;
      ctx.fillRect(i * step, (h - bh) / 2, Math.max(1, step * 0.66), bh);
    }
  }

  canvas.addEventListener("click", (event) => {
    const box = canvas.getBoundingClientRect();
    onSeek(((event.clientX - box.left) / box.width) * duration);
  });
  audio.addEventListener("timeupdate", paint);
  audio.addEventListener("seeked", paint);
  window.addEventListener("resize", resize);
  resize();
}
