// newsgen search page: Pagefind's JavaScript API, every language of the archive, filters by
// taxonomy and year, date order, and exact Chinese phrases in simplified or traditional script.
//
// Filters are checked here on each result's metadata rather than by Pagefind's filter index,
// whose files differ from build to build for the same input (newsgen's output must not).
//
// A classic script (deferred), not a module: Chromium loads no module script from file://,
// and the page must still say that search needs the archive served over http(s).
"use strict";
const page = document.querySelector(".search-page");
const form = page.querySelector("form");
const query = page.querySelector("#search-query");
const sortSelect = page.querySelector("#search-sort");
const statusLine = page.querySelector(".search-status");
const list = page.querySelector(".search-results");
const more = page.querySelector(".search-more");
const notice = page.querySelector(".search-notice");
const selects = [...page.querySelectorAll("select[data-filter]")];
const PAGE_SIZE = 10;
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
const CJK_ALL = /[\u3400-\u9fff\uf900-\ufaff]/g;
const CJK_RUNS = /[\u3400-\u9fff\uf900-\ufaff]{2,}/g;
const rootUrl = new URL("./", new URL(page.dataset.root, location.href));
const bundleUrl = new URL("pagefind/", rootUrl);
let candidates = [];
let checked = 0;
let shown = 0;
let wanted = [];
let chosen = {};
let simplified = null;
let delta = { bundle: false, hidden: [], mark: "?d" };
let hidden = new Set();

async function loadPagefind() {
  // Base bundles by period (bundles.json, newest first, with their languages): the first is
  // Pagefind's own index, every other bundle and language is merged into it, so one search
  // covers the archive. Articles changed since their bundle's base are in the delta bundle;
  // delta.json lists the base copies to hide (changed or deleted articles). While the pages
  // are ahead of the bundles (a preview's search still being updated), delta.json says so:
  // the page tells. Bundles are merged all at once: a large archive has hundreds.
  const [deltaList, listed] = await Promise.all(
    ["delta.json", "bundles.json"].map(async (name) => (await fetch(new URL(name, bundleUrl))).json()),
  );
  delta = deltaList;
  if (notice) notice.hidden = !delta.pending;
  hidden = new Set(delta.hidden);
  const bundles = listed.map(([name, languages]) => [new URL(`${name}/`, bundleUrl), languages]);
  if (delta.bundle) {
    const url = new URL("delta/", bundleUrl);
    const entry = await (await fetch(new URL("pagefind-entry.json", url))).json();
    bundles.push([url, Object.keys(entry.languages || {}).sort()]);
  }
  const pagefind = await import(new URL("pagefind.js", bundles[0][0]).href);
  await pagefind.options({ baseUrl: rootUrl.pathname, excerptLength: 40 });
  await pagefind.init();
  const own = page.dataset.lang.split("-")[0];
  const merges = [];
  for (const [n, [url, languages]] of bundles.entries()) {
    for (const language of languages) {
      if (n > 0 || language.split("-")[0] !== own) {
        // Called in order without waiting: Pagefind lists the indexes as they are merged.
        merges.push(pagefind.mergeIndex(url.href, { language }));
      }
    }
  }
  await Promise.all(merges);
  return pagefind;
}

function current(item) {
  // The delta's copy of an article (its URL carries the mark) is the article as it is now;
  // a base bundle's copy of an article changed or deleted since is hidden.
  if (item.url.endsWith(delta.mark)) {
    item.url = item.url.slice(0, -delta.mark.length);
    return true;
  }
  const path = new URL(item.url, location.href).pathname;
  return !hidden.has(decodeURI(path.slice(rootUrl.pathname.length)));
}

async function toSimplified(text) {
  // The same table newsgen indexed with (OpenCC's traditional to simplified characters).
  if (!simplified) {
    const table = await (await fetch(new URL("assets/t2s.txt", rootUrl))).text();
    const [from, to] = table.split("\n").map((line) => Array.from(line));
    simplified = new Map(from.map((char, i) => [char, to[i]]));
  }
  return Array.from(text, (char) => simplified.get(char) || char).join("");
}

const spaced = (text) => text.replace(CJK_ALL, (c) => ` ${c} `).replace(/\s+/g, " ").trim();
const squeeze = (text) => text.replace(/[\s\u200b]+/g, "");

function tidyExcerpt(excerpt) {
  // Chinese is indexed one character per word: join the characters again for reading, and
  // mark the phrases asked for rather than each of their characters wherever it occurs.
  if (!wanted.length) return excerpt;
  const wide = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\u201c\u201d";
  const gap = new RegExp(`([${wide}])[\\s\u200b]+(?=[${wide}])`, "g");
  let text = excerpt.replace(/<\/?mark>/g, "").replace(gap, "$1");
  for (const phrase of wanted) text = text.split(phrase).join(`<mark>${phrase}</mark>`);
  return text; // phrases are Chinese characters only: nothing in them needs escaping
}

function matches(item) {
  const text = squeeze(item.content);
  if (!wanted.every((phrase) => text.includes(phrase))) return false;
  return Object.entries(chosen).every(([key, slug]) => {
    try {
      return JSON.parse(item.meta[`f_${key}`] || "[]").includes(slug);
    } catch {
      return false;
    }
  });
}

function render(result) {
  const item = document.createElement("li");
  item.className = "article-item";
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = result.url;
  link.textContent = result.meta.title || result.url;
  heading.append(link);
  const meta = document.createElement("p");
  meta.className = "meta";
  meta.textContent = [result.meta.date, result.meta.units].filter(Boolean).join(" · ");
  const excerpt = document.createElement("p");
  excerpt.className = "excerpt";
  excerpt.innerHTML = tidyExcerpt(result.excerpt); // Pagefind escapes page text; only <mark>
  item.append(heading, meta, excerpt);
  if (result.meta.thumb) { // the lead photo's small version (a site path)
    const thumb = document.createElement("img");
    thumb.className = "thumb";
    thumb.src = new URL(result.meta.thumb, rootUrl).href;
    thumb.alt = ""; // the title beside it says what the result is
    thumb.loading = "lazy";
    item.classList.add("has-image");
    item.prepend(thumb);
  }
  if (CJK.test(result.meta.title || "")) item.lang = "zh";
  return item;
}

async function showMore() {
  const batch = [];
  while (batch.length < PAGE_SIZE && checked < candidates.length) {
    const slice = candidates.slice(checked, checked + PAGE_SIZE);
    checked += slice.length;
    for (const item of await Promise.all(slice.map((r) => r.data()))) {
      if (current(item) && matches(item)) batch.push(item);
    }
  }
  shown += batch.length;
  list.append(...batch.map(render));
  const done = checked >= candidates.length;
  more.hidden = done;
  const count = done ? `${shown}` : `${shown}+`;
  statusLine.textContent = shown === 1 && done ? "1 article found" : `${count} articles found`;
}

async function browseInstead() {
  // No words, only a filter: show the first page of that term's own listing (its newest
  // articles) and link to the whole listing; more filters narrow it further.
  const select = selects.find((s) => s.value);
  const option = select.selectedOptions[0];
  const listing = new URL(option.dataset.url, location.href);
  const html = await (await fetch(listing)).text();
  const doc = new DOMParser().parseFromString(html, "text/html");
  const name = (s) => s.selectedOptions[0].textContent.replace(/ \(\d+\)$/, "");
  const keeps = (card, other) =>
    other.dataset.filter === "year"
      ? (card.querySelector("time")?.getAttribute("datetime") || "").startsWith(other.value)
      : card.textContent.includes(name(other));
  const items = [...doc.querySelectorAll("li.card")].filter((card) =>
    selects.every((other) => !other.value || other === select || keeps(card, other))
  );
  for (const card of items) {
    rebase(card, listing);
    list.append(document.importNode(card, true));
  }
  statusLine.textContent = `${items.length} of the newest articles shown · `;
  const link = document.createElement("a");
  link.href = listing.href;
  link.textContent = `${option.textContent}: browse all`;
  statusLine.append(link);
}

// A card's links and photo sources are relative to the listing page it came from.
function rebase(card, listing) {
  const at = (url) => new URL(url, listing).href;
  for (const link of card.querySelectorAll("a[href]")) link.href = at(link.getAttribute("href"));
  for (const image of card.querySelectorAll("img[src]")) image.src = at(image.getAttribute("src"));
  for (const source of card.querySelectorAll("[srcset]")) {
    source.srcset = source
      .getAttribute("srcset")
      .split(", ")
      .map((candidate) => candidate.replace(/^\S+/, at))
      .join(", ");
  }
}

async function run(pagefind) {
  const params = new URLSearchParams(location.search);
  const text = (params.get("q") || "").trim();
  query.value = text;
  sortSelect.value = params.get("sort") || "";
  chosen = {};
  for (const select of selects) {
    select.value = params.get(select.name) || "";
    if (select.value) chosen[select.dataset.filter] = select.value;
  }
  if (!text) {
    if (Object.keys(chosen).length) await browseInstead();
    else statusLine.textContent = "Type words to search the archive.";
    return;
  }
  const normal = CJK.test(text) ? await toSimplified(text) : text;
  wanted = normal.match(CJK_RUNS) || [];
  const options = sortSelect.value ? { sort: { date: sortSelect.value } } : {};
  candidates = (await pagefind.search(spaced(normal), options)).results;
  await showMore();
}

(async () => {
  for (const select of [...selects, sortSelect]) {
    select.addEventListener("change", () => form.requestSubmit());
  }
  more.querySelector("button").addEventListener("click", showMore);
  if (location.protocol === "file:") {
    statusLine.textContent =
      "Search works when the archive is served over http(s), not opened from a folder.";
    return;
  }
  try {
    await run(await loadPagefind());
  } catch (error) {
    statusLine.textContent = "The search index could not be loaded.";
    console.warn(error);
  }
})();
