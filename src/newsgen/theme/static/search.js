// newsgen search page: Pagefind's JavaScript API with filters, date order and every language.
const page = document.querySelector(".search-page");
const form = page.querySelector("form");
const query = page.querySelector("#search-query");
const sortSelect = page.querySelector("#search-sort");
const statusLine = page.querySelector(".search-status");
const list = page.querySelector(".search-results");
const more = page.querySelector(".search-more");
const selects = [...page.querySelectorAll("select[data-filter]")];
const PAGE_SIZE = 10;
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
let found = [];
let shown = 0;

const rootUrl = new URL(page.dataset.root, location.href);
const bundleUrl = new URL("pagefind/", rootUrl);

async function loadPagefind() {
  const pagefind = await import(new URL("pagefind.js", bundleUrl).href);
  await pagefind.options({ baseUrl: rootUrl.pathname, excerptLength: 40 });
  await pagefind.init();
  const entry = await (await fetch(new URL("pagefind-entry.json", bundleUrl))).json();
  const own = page.dataset.lang;
  for (const language of Object.keys(entry.languages || {})) {
    if (language.split("-")[0] !== own.split("-")[0]) {
      await pagefind.mergeIndex(bundleUrl.href, { language });
    }
  }
  return pagefind;
}

function chineseTerms(text) {
  // Pagefind splits Chinese into words at index time; a query typed as one run may not split
  // the same way, so each run of Chinese characters is also tried as overlapping pairs.
  return text.replace(/[\u3400-\u9fff\uf900-\ufaff]{3,}/g, (run) => {
    const pairs = [];
    for (let i = 0; i + 2 <= run.length; i += 1) pairs.push(run.slice(i, i + 2));
    return `${run} ${pairs.join(" ")}`;
  });
}

async function fillFilters(pagefind, params) {
  const available = await pagefind.filters();
  for (const select of selects) {
    const values = Object.keys(available[select.dataset.filter] || {}).sort();
    if (select.dataset.filter === "year") values.reverse();
    for (const value of values) select.add(new Option(`${value} (${available[select.dataset.filter][value]})`, value));
    select.value = params.get(select.name) || "";
    select.closest("label").hidden = values.length === 0;
  }
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
  excerpt.innerHTML = result.excerpt; // Pagefind escapes page text; only <mark> is markup
  item.append(heading, meta, excerpt);
  if (result.language && CJK.test(result.meta.title || "")) item.lang = "zh";
  return item;
}

async function showMore() {
  const batch = found.slice(shown, shown + PAGE_SIZE);
  shown += batch.length;
  const data = await Promise.all(batch.map((r) => r.data()));
  list.append(...data.map(render));
  more.hidden = shown >= found.length;
}

async function run(pagefind) {
  const params = new URLSearchParams(location.search);
  const text = (params.get("q") || "").trim();
  query.value = text;
  sortSelect.value = params.get("sort") || "";
  const filters = {};
  for (const select of selects) if (params.get(select.name)) filters[select.dataset.filter] = params.get(select.name);
  if (!text && Object.keys(filters).length === 0) {
    statusLine.textContent = "Type words to search the archive.";
    return;
  }
  const options = { filters };
  if (sortSelect.value) options.sort = { date: sortSelect.value };
  const search = await pagefind.search(text || null, options);
  found = search.results;
  statusLine.textContent = found.length === 1 ? "1 article found" : `${found.length} articles found`;
  await showMore();
}

function submitOnChange() {
  for (const select of [...selects, sortSelect]) select.addEventListener("change", () => form.requestSubmit());
  more.querySelector("button").addEventListener("click", showMore);
}

(async () => {
  const params = new URLSearchParams(location.search);
  submitOnChange();
  if (location.protocol === "file:") {
    statusLine.textContent = "Search works when the archive is served over http(s), not opened from a folder.";
    return;
  }
  try {
    const pagefind = await loadPagefind();
    await fillFilters(pagefind, params);
    await run(pagefind);
  } catch (error) {
    statusLine.textContent = "The search index could not be loaded.";
    console.warn(error);
  }
})();
