// "Copy link" buttons on the room pages: the full participant link to the clipboard.
for (const button of document.querySelectorAll("button.copy")) {
  button.addEventListener("click", async () => {
    const link = new URL(button.dataset.path, window.location.origin).href;
    const status = document.getElementById("copied");
    try {
      await navigator.clipboard.writeText(link);
      button.textContent = "Copied";
    } catch {
      // Clipboard refused (insecure context): select the text so the person can copy it by hand.
      window.prompt("Copy this link", link);
    }
    if (status) status.textContent = `Copied ${link}`;
    setTimeout(() => { button.textContent = "Copy link"; }, 2000);
  });
}
