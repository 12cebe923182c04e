// Search in a static copy of the manual (tracker build): the search page's form sends ?q=,
// and this script answers it from the export's index of the documents in force. Every word
// must start a word of the document; titles weigh most, then headings, then text, as the
// service's own search does. Results are built as DOM nodes, never as HTML from the index.
const results = document.getElementById("search-results");
const MAX_WORDS = 12;
const WEIGHTS = { title: 10, headings: 4, text: 1 };
const WORD = /[\p{L}\p{N}_][\p{L}\p{N}_'’-]*/gu;

// Accents and other marks dropped (decomposed first), as the service's search drops them:
// "etape" finds "Étape", and a word saved decomposed is found as typed.
const MARKS = /\p{M}/gu;
const wordsOf = (text) => (text.normalize("NFD").replace(MARKS, "").toLowerCase().match(WORD) || []);

function score(doc, words) {
  let total = 0;
  for (const word of words) {
    let best = 0;
    for (const [field, weight] of Object.entries(WEIGHTS)) {
      const found = doc.words[field].filter((w) => w.startsWith(word)).length;
      if (found) best += weight * (1 + Math.log(found));
    }
    if (!best) return 0;
    total += best;
  }
  return total;
}

function element(name, attributes = {}, ...children) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

function snippet(text, words) {
  const all = text.split(/\s+/);
  const matches = (w) => words.some((word) => wordsOf(w).some((x) => x.startsWith(word)));
  const first = Math.max(0, all.findIndex(matches));
  const start = Math.max(0, first - 8);
  const shown = all.slice(start, start + 24);
  const paragraph = element("p", { class: "govuk-body-s" });
  if (start > 0) paragraph.append("… ");
  shown.forEach((w, i) => {
    paragraph.append(matches(w) ? element("mark", {}, w) : w, i < shown.length - 1 ? " " : "");
  });
  if (start + 24 < all.length) paragraph.append(" …");
  return paragraph;
}

async function search() {
  const query = (new URLSearchParams(location.search).get("q") || "").slice(0, 200).trim();
  const input = document.getElementById("search-q");
  if (input) input.value = query;
  results.replaceChildren();
  if (!query) return;
  const words = wordsOf(query).slice(0, MAX_WORDS);
  let index;
  try {
    const response = await fetch(results.dataset.index);
    index = await response.json();
  } catch {
    results.append(element("p", { class: "govuk-body" }, "The search index cannot be read. ",
      element("a", { class: "govuk-link", href: results.dataset.chapters }, "Browse the contents"),
      " instead."));
    return;
  }
  const hits = [];
  for (const doc of index.documents) {
    doc.words = { title: wordsOf(doc.title), headings: wordsOf(doc.headings), text: wordsOf(doc.text) };
    const value = words.length ? score(doc, words) : 0;
    if (value) hits.push([value, doc]);
  }
  hits.sort((a, b) => b[0] - a[0] || a[1].title.localeCompare(b[1].title));
  document.title = `Search results for “${query}” – ${document.title.split(" – ").pop()}`;
  const count = `${hits.length} result${hits.length === 1 ? "" : "s"} for “${query}”`;
  const list = element("ol", { class: "govuk-list app-results", "aria-labelledby": "results" });
  for (const [, doc] of hits.slice(0, 50)) {
    // (a document without an address cannot be shown: its address is another page's)
    const title = doc.url
      ? element("a", { class: "govuk-link govuk-!-font-weight-bold", href: doc.url }, doc.title)
      : element("span", {}, doc.title, " ", element("span", { class: "govuk-body-s" },
        "(cannot be shown on this website: its address is another page's)"));
    list.append(element("li", {}, title, snippet(doc.text, words)));
  }
  results.append(element("h2", { class: "govuk-heading-m", id: "results" }, count), list);
  const status = document.getElementById("search-status");
  if (status) status.textContent = count;
}

if (results) search();
