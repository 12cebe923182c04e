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
// A table's box is a tab stop only while the table is wider than it (then a keyboard needs
// it to scroll, WCAG 2.1.1); the page sends every box focusable, for readers without scripts.
const boxes = document.querySelectorAll(".app-table-scroll");
const scrolls = () => {
  for (const box of boxes) {
    if (box.scrollWidth > box.clientWidth) box.setAttribute("tabindex", "0");
    else if (box !== document.activeElement) box.removeAttribute("tabindex");
  }
};
if (boxes.length) {
  scrolls();
  if (window.ResizeObserver) {
    const watching = new ResizeObserver(scrolls);
    for (const box of boxes) watching.observe(box);
  } else {
    window.addEventListener("resize", scrolls);
  }
}
// GOV.UK Frontend's own enhancements, when its assets were built (make assets).
if (document.documentElement.classList.contains("app-styled")) {
  import("/static/build/govuk-frontend.min.js")
    .then((frontend) => frontend.initAll())
    .catch(() => {});
}
