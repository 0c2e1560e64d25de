// `<span data-palabre-count="/uri">` anywhere on the page: "34 comments", one request per 500.

const BATCH = 500;

export function makeCounts(api, i18n) {
  const spans = () => document.querySelectorAll('[data-palabre-count]');
  const uriOf = (span) => span.dataset.palabreCount || location.pathname;

  function show(uri, count) {
    for (const span of spans()) {
      if (uriOf(span) === uri) span.textContent = i18n.tn('count', count);
    }
  }

  async function load() {
    const uris = [...new Set([...spans()].map(uriOf))];
    for (let i = 0; i < uris.length; i += BATCH) {
      try {
        const { counts } = await api.counts(uris.slice(i, i + BATCH));
        for (const uri in counts) show(uri, counts[uri]);
      } catch {
        // A count is an extra: on failure the span keeps what the page put there.
      }
    }
  }

  return { show, load };
}
