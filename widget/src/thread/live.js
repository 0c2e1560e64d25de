// Live updates: the thread's Server-Sent Events (GET /api/v1/events, docs/architecture.md)
// while the thread is on screen. New comments wait behind a "3 new comments" button, so the
// text never moves under the reader; a comment on screen is updated in place, a removed one
// goes. Without EventSource, or once the stream is refused, the thread simply stays as it is.

const GIVE_UP = 3; // failures in a row without a stream opening: stop trying

export function followLive(root, ctx, state, view, reload) {
  const { api, uri } = ctx;
  if (!window.EventSource || !window.IntersectionObserver) return;
  /** Comments the stream brought that are not shown yet: id → comment. */
  const unseen = new Map();
  let source = null;
  let visible = false;
  let failures = 0;
  let lastId = ''; // the last event id seen: a new EventSource resumes after it

  const approved = (c) => +(c?.status === 'approved');
  const count = (delta) => delta && state.thread && state.changeCount(delta);
  const same = (a, b) =>
    ['html', 'status', 'edited', 'featured', 'staff'].every((key) => a[key] === b[key]);
  const refresh = () => view.unseen(unseen.size, reveal);

  /** Shown on the reader's click, oldest first (a parent before its replies), highlighted. */
  function reveal() {
    const fresh = [...unseen.values()].sort((a, b) => a.id - b.id);
    unseen.clear();
    refresh();
    for (const c of fresh) {
      state.add(c, true);
      view.mark(c.id);
    }
    if (fresh[0]) view.focus(fresh[0].id);
  }

  function comment(c) {
    const known = state.items.get(c.id) || unseen.get(c.id);
    if (!known) {
      // Unknown but edited, featured or a placeholder: an older comment of a page not loaded.
      if (!approved(c) || c.edited || c.featured) return;
      unseen.set(c.id, c);
      count(1);
      return refresh();
    }
    if (same(known, c)) return; // the stream repeats what the page already has
    count(approved(c) - approved(known));
    if (unseen.has(c.id)) unseen.set(c.id, c);
    else state.replace(c);
  }

  function removed({ id }) {
    const known = state.items.get(id) || unseen.get(id);
    if (known) count(-approved(known));
    else if (state.cursor) recount(); // it may have been on a page not loaded
    if (unseen.delete(id)) refresh();
    state.remove(id);
  }

  async function recount() {
    try {
      const { counts } = await api.counts([uri]);
      count(counts[uri] - state.thread.count);
    } catch {
      // the count stays as it was
    }
  }

  // A comment the reader posted, or a page brought, is no longer waiting; one this reader
  // posted was counted when it came through the stream, and publishing counts it again.
  state.subscribe((change, c) => {
    if (/^(add|new)$/.test(change) && unseen.delete(c.id)) {
      if (change === 'new') count(-1);
      refresh();
    }
  });

  const handlers = {
    comment,
    removed,
    reset() {
      unseen.clear();
      refresh();
      reload();
    },
  };

  function open() {
    if (source || failures >= GIVE_UP || !visible || document.hidden) return;
    source = new EventSource(api.events(uri, lastId));
    source.onopen = () => (failures = 0);
    // A refusal (429: too many streams) closes the source for good; a dropped connection is
    // retried by the browser (with Last-Event-ID), up to GIVE_UP times in a row.
    source.onerror = () => {
      if (source.readyState === 2 || ++failures >= GIVE_UP) {
        failures = GIVE_UP;
        close();
      }
    };
    for (const name in handlers) {
      source.addEventListener(name, (event) => {
        if (event.lastEventId) lastId = event.lastEventId;
        let data;
        try {
          data = JSON.parse(event.data);
        } catch {
          return; // not the contract's: ignored
        }
        handlers[name](data);
      });
    }
  }

  function close() {
    source?.close();
    source = null;
  }

  const update = () => (visible && !document.hidden ? open() : close());
  new IntersectionObserver(([entry]) => {
    visible = entry.isIntersecting;
    update();
  }).observe(root);
  document.addEventListener('visibilitychange', update);
}
