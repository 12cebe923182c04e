// Enhancements only: every page works without this script.
for (const button of document.querySelectorAll("[data-copy]")) {
  const source = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector("[role=status]");
  if (!source || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.value);
      status.textContent = "Copied. You can now paste it into the newsletter.";
    } catch {
      source.select();
      status.textContent = "Select the text above and copy it.";
    }
  });
}
// GOV.UK Frontend's own enhancements, when its assets were built (make assets).
if (document.documentElement.classList.contains("app-styled")) {
  import("/static/build/govuk-frontend.min.js")
    .then((frontend) => frontend.initAll())
    .catch(() => {});
}
