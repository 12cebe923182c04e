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
// The newsletter's email preview: a frame as tall as the email, so that it never scrolls
// within the page (a page within a page, WCAG 1.4.10), at any width. Nothing runs in the
// frame, so the page measures it (its sandbox allows only that); the frame is shown once it
// fits, and without this script the link before it opens the email on a page of its own.
for (const frame of document.querySelectorAll("iframe.app-preview")) {
  let width = -1;
  const fit = () => {
    const inner = frame.contentDocument;
    if (!inner || inner.readyState !== "complete" || inner.URL === "about:blank") return;
    frame.hidden = false;
    width = frame.clientWidth;
    // Twice: the first height may be measured beside a scroll bar that it then takes away.
    // (The frame's height is its content's: its box is sized so, app.scss.)
    for (let pass = 0; pass < 2; pass += 1) {
      const tall = Math.ceil(inner.documentElement.getBoundingClientRect().height);
      frame.style.height = `${tall}px`;
    }
  };
  frame.addEventListener("load", fit);
  fit();
  if (window.ResizeObserver) {  // a new width lays the email out anew
    new ResizeObserver(() => { if (frame.clientWidth !== width) fit(); }).observe(frame);
  } else {
    window.addEventListener("resize", fit);
  }
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
