// Live status in the library: one EventSource per transcript still being processed.
// Browsers allow ~6 connections per host over HTTP/1.1, so only the first few rows stream live.
const MAX_STREAMS = 4;

function follow(row) {
  const id = row.dataset.id;
  const status = row.querySelector("[data-status]");
  const stage = row.querySelector("[data-stage]");
  const events = new EventSource(`/v1/transcripts/${encodeURIComponent(id)}/events`);
  events.addEventListener("status", (msg) => {
    const data = JSON.parse(msg.data);
    status.textContent = data.status;
    status.className = `status status-${data.status}`;
    stage.textContent = data.stage ? `${data.stage}${data.progress != null ? ` ${Math.round(data.progress * 100)} %` : ""}` : "";
    if (data.status === "done" || data.status === "failed") {
      events.close();
      stage.textContent = "";
    }
  });
  events.addEventListener("deleted", () => { events.close(); row.remove(); });
}

document.querySelectorAll("tr[data-live]").forEach((row, i) => { if (i < MAX_STREAMS) follow(row); });
