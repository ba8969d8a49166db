// The upload page: sends the form to POST /v1/uploads with the CSRF header, shows progress and the
// API's error, and opens the new transcript's reader (which follows its processing live).
const form = document.getElementById("upload-form");
const progress = document.getElementById("upload-progress");
const statusLine = document.getElementById("upload-status");
const errorLine = document.getElementById("upload-error");
const submit = document.getElementById("upload-submit");

function fail(message) {
  errorLine.textContent = message;
  errorLine.hidden = false;
  statusLine.textContent = "";
  progress.hidden = true;
  submit.disabled = false;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  errorLine.hidden = true;
  const file = document.getElementById("file").files[0];
  if (!file) return fail("Choose a file first.");
  if (file.size > Number(form.dataset.limit)) return fail("The file is larger than the upload limit.");
  const data = new FormData(form);
  for (const [name, value] of [...data.entries()]) if (value === "") data.delete(name);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/v1/uploads");
  xhr.setRequestHeader("X-CSRFToken", document.querySelector('meta[name="csrf-token"]').content);
  xhr.upload.addEventListener("progress", (e) => {
    if (!e.lengthComputable) return;
    progress.value = e.loaded / e.total;
    statusLine.textContent = `Sending… ${Math.round((100 * e.loaded) / e.total)} %`;
  });
  xhr.upload.addEventListener("load", () => { statusLine.textContent = "Checking the file…"; });
  xhr.addEventListener("load", () => {
    let body = null;
    try { body = JSON.parse(xhr.responseText); } catch { body = null; }
    if (xhr.status === 201 && body && body.id) {
      statusLine.textContent = "Uploaded: opening the transcript…";
      location.assign(`/transcripts/${encodeURIComponent(body.id)}`);
    } else {
      fail((body && body.detail) || `The upload failed (${xhr.status}).`);
    }
  });
  xhr.addEventListener("error", () => fail("The upload was interrupted. Try again."));
  submit.disabled = true;
  progress.hidden = false;
  progress.value = 0;
  statusLine.textContent = "Sending…";
  xhr.send(data);
});
