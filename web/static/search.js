// Search in a static copy of the manual (tracker build): the search page's form sends ?q=,
// and this script answers it from the export's index of the documents in force, as the
// service's own search does (SQLite FTS5, tokenize = 'porter unicode61'): every word of the
// query, stemmed, must start a stemmed word of the document ("referring" finds "referral",
// whose stems are "refer" and "referr"); titles weigh most, then headings, then text. Results
// are built as DOM nodes, never as HTML from the index.
const results = document.getElementById("search-results");
const MAX_WORDS = 12;
const WEIGHTS = { title: 10, headings: 4, text: 1 };
// A word as unicode61 reads one: letters and digits (an apostrophe or hyphen parts words).
const WORD = /[\p{L}\p{N}\p{Co}]+/gu;

// Accents dropped from Latin letters (decomposed first), as the service's search drops them:
// "etape" finds "Étape", and a word saved decomposed is found as typed. Other scripts keep
// theirs, as unicode61 does (Greek "ορισμοι" is not "ορισμοί" to it), and the micro sign is
// the Greek letter mu, as case folding makes it ("5 µg").
const MARKS = /(\p{Script=Latin})\p{M}+/gu;
const STEMS = new Map();
const stemmed = (word) => {
  let found = STEMS.get(word);
  if (found === undefined) STEMS.set(word, (found = stem(word)));
  return found;
};
const wordsOf = (text) =>
  (text.normalize("NFD").replace(MARKS, "$1").normalize("NFC").toLowerCase().replaceAll("µ", "μ")
    .match(WORD) || []).map(stemmed);

// The Porter stemmer as SQLite's FTS5 has it (fts5_tokenize.c), step for step: a word of 3 to
// 64 bytes is stemmed, letters other than a-z counting as consonants; tests/test_search_stems.py
// holds it to SQLite's own stems.
const isVowel = (c, yIsVowel) => "aeiou".includes(c) || (yIsVowel && c === "y");
function gobbleVC(word, start, end, previousConsonant) {  // (end of the first VC, or 0)
  let consonant = previousConsonant;
  let i = start;
  for (; i < end; i++) if (!(consonant = !isVowel(word[i], consonant))) break;
  for (i++; i < end; i++) if ((consonant = !isVowel(word[i], consonant))) return i + 1;
  return 0;
}
const mGt0 = (word, n) => gobbleVC(word, 0, n, false) !== 0;
function mGt1(word, n) {
  const first = gobbleVC(word, 0, n, false);
  return first !== 0 && gobbleVC(word, first, n, true) !== 0;
}
function mEq1(word, n) {
  const first = gobbleVC(word, 0, n, false);
  return first !== 0 && gobbleVC(word, first, n, true) === 0;
}
function oStar(word, n) {  // (*o): consonant, vowel, consonant, the last not w, x or y
  if ("wxy".includes(word[n - 1])) return false;
  let mask = 0;
  let consonant = false;
  for (let i = 0; i < n; i++) {
    consonant = !isVowel(word[i], consonant);
    mask = (mask << 1) + (consonant ? 1 : 0);
  }
  return (mask & 7) === 5;
}
function hasVowel(word, n) {
  for (let i = 0; i < n; i++) if (isVowel(word[i], i > 0)) return true;
  return false;
}
const sOrT = (word, n) => n > 0 && "st".includes(word[n - 1]) && mGt1(word, n);

// Each step's rules by the word's last but one letter, the first suffix that fits taken (its
// condition met or not): [suffix, replacement, condition of the stem before it].
const STEP2 = {
  a: [["ational", "ate"], ["tional", "tion"]], c: [["enci", "ence"], ["anci", "ance"]],
  e: [["izer", "ize"]], g: [["logi", "log"]],
  l: [["bli", "ble"], ["alli", "al"], ["entli", "ent"], ["eli", "e"], ["ousli", "ous"]],
  o: [["ization", "ize"], ["ation", "ate"], ["ator", "ate"]],
  s: [["alism", "al"], ["iveness", "ive"], ["fulness", "ful"], ["ousness", "ous"]],
  t: [["aliti", "al"], ["iviti", "ive"], ["biliti", "ble"]],
};
const STEP3 = {
  a: [["ical", "ic"]], s: [["ness", ""]], t: [["icate", "ic"], ["iciti", "ic"]],
  u: [["ful", ""]], v: [["ative", ""]], z: [["alize", "al"]],
};
const STEP4 = {
  a: [["al", ""]], c: [["ance", ""], ["ence", ""]], e: [["er", ""]], i: [["ic", ""]],
  l: [["able", ""], ["ible", ""]], n: [["ant", ""], ["ement", ""], ["ment", ""], ["ent", ""]],
  o: [["ion", "", sOrT], ["ou", ""]], s: [["ism", ""]], t: [["ate", ""], ["iti", ""]],
  u: [["ous", ""]], v: [["ive", ""]], z: [["ize", ""]],
};
function apply(word, rules, condition) {  // the word after the step
  for (const [suffix, replacement, own] of rules[word[word.length - 2]] || []) {
    if (word.length > suffix.length && word.endsWith(suffix)) {
      const base = word.slice(0, -suffix.length);
      return (own || condition)(word, base.length) ? base + replacement : word;
    }
  }
  return word;
}
const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();

// SQLite stems a word's UTF-8 bytes: a letter outside ASCII is two to four consonants to it,
// so the word is stemmed as a string of its bytes (each a character) and read back.
function stem(word) {
  const bytes = ENCODER.encode(word);
  if (bytes.length < 3 || bytes.length > 64) return word;
  if (bytes.length === word.length) return porter(word);
  const stemmedBytes = porter(String.fromCharCode(...bytes));
  return DECODER.decode(Uint8Array.from(stemmedBytes, (c) => c.charCodeAt(0)));
}

function porter(word) {
  let w = word;
  if (w.endsWith("s")) {  // step 1a
    if (w[w.length - 2] === "e") {
      const cut = (w.length > 4 && w.endsWith("sses")) || (w.length > 3 && w.endsWith("ies"));
      w = w.slice(0, cut ? -2 : -1);
    } else if (w[w.length - 2] !== "s") w = w.slice(0, -1);
  }
  let cut = false;  // step 1b
  if (w.length > 3 && w.endsWith("eed")) {
    if (mGt0(w, w.length - 3)) w = w.slice(0, -1);
  } else if (w.length > 2 && w.endsWith("ed") && hasVowel(w, w.length - 2)) {
    [w, cut] = [w.slice(0, -2), true];
  } else if (w.length > 3 && w.endsWith("ing") && hasVowel(w, w.length - 3)) {
    [w, cut] = [w.slice(0, -3), true];
  }
  if (cut) {
    const two = w.slice(-2);
    if (w.length > 2 && (two === "at" || two === "bl" || two === "iz")) w += "e";
    else {
      const c = w[w.length - 1];
      if (!isVowel(c, false) && !"lsz".includes(c) && c === w[w.length - 2]) w = w.slice(0, -1);
      else if (mEq1(w, w.length) && oStar(w, w.length)) w += "e";
    }
  }
  if (w.endsWith("y") && hasVowel(w, w.length - 1)) w = w.slice(0, -1) + "i";  // step 1c
  w = apply(apply(apply(w, STEP2, mGt0), STEP3, mGt0), STEP4, mGt1);
  const n = w.length - 1;  // step 5a
  if (w.endsWith("e") && (mGt1(w, n) || (mEq1(w, n) && !oStar(w, n)))) w = w.slice(0, -1);
  if (w.length > 1 && w.endsWith("ll") && mGt1(w, w.length - 1)) w = w.slice(0, -1);  // 5b
  return w;
}

// A query's words as the service reads them (``index/search.py``: each a phrase of the words
// unicode61 makes of it, "child's" two, the last one's start enough).
const QUERY_WORD = /[\p{L}\p{N}_][\p{L}\p{N}_'’-]*/gu;
const phrasesOf = (query) =>
  (query.match(QUERY_WORD) || []).slice(0, MAX_WORDS).map(wordsOf).filter((p) => p.length);

function count(tokens, phrase) {  // how often the phrase comes in these words
  const last = phrase.length - 1;
  let found = 0;
  for (let i = 0; i + last < tokens.length; i++) {
    let j = 0;
    while (j < last && tokens[i + j] === phrase[j]) j++;
    if (j === last && tokens[i + last].startsWith(phrase[last])) found++;
  }
  return found;
}

function score(doc, phrases) {
  let total = 0;
  for (const phrase of phrases) {
    let best = 0;
    for (const [field, weight] of Object.entries(WEIGHTS)) {
      const found = count(doc.words[field], phrase);
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
  const matches = (w) =>
    words.some((phrase) => wordsOf(w).some((x) => phrase.some((p) => x.startsWith(p))));
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
  const words = phrasesOf(query);
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
