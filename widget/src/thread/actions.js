// What a reader does: open the thread, load more, sort, post, reply, edit, delete, vote,
// report and follow a permalink. Each calls the API, then changes the state (state.js), which the view
// follows; what is only about the screen (forms, focus, announcements) goes to the view.

const FIRST_SLICE = 15; // comments: a screenful, the next slices follow within a frame
const SLICE_MS = 12;
const REFUSED = ['edit_window_expired', 'forbidden', 'unauthorized', 'not_found'];

export function threadActions(ctx, state, view) {
  const { i18n, api, store, site, uri } = ctx;
  const { t, tn } = i18n;

  /**
   * Fetch the first page (`reset`) or the next one; resolves to the new comments once all are
   * shown, or to null (it failed, or a newer request overtook it).
   */
  async function load(reset) {
    const mine = state.begin();
    view.busy();
    try {
      const data = await api.list(uri, state.sort, reset ? null : state.cursor);
      if (!state.current(mine)) return null;
      performance.mark('palabre-render');
      state.setThread(data.thread, reset);
      const added = await show(data.comments.filter((c) => !state.items.has(c.id)), mine);
      if (!added) return null;
      view.idle();
      state.setCursor(data.next_cursor);
      performance.mark('palabre-done');
      view.settle();
      return added;
    } catch (err) {
      if (!state.current(mine)) return null;
      view.failed(err, () => load(reset));
      return null;
    } finally {
      if (state.current(mine)) view.idle();
    }
  }

  /**
   * Add a page's comments: the first screen at once, the rest in slices of a few milliseconds,
   * one per task, so a big page does not block the page. Null when a newer request came.
   */
  async function show(fresh, mine) {
    const added = [];
    const slice = (most) => {
      const end = performance.now() + SLICE_MS;
      const stop = Math.min(fresh.length, added.length + most);
      while (added.length < stop && performance.now() < end) {
        const c = fresh[added.length];
        state.add(c);
        if (added.push(c) > FIRST_SLICE && c.parent == null) view.defer(c.id);
      }
      view.flush();
    };
    slice(FIRST_SLICE);
    view.shown();
    while (added.length < fresh.length) {
      await new Promise((resolve) => setTimeout(resolve));
      if (!state.current(mine)) return null;
      slice(Infinity);
    }
    return added;
  }

  /** The editor's picks, when the thread has some; without them the thread reads as well. */
  async function picks() {
    if (!state.thread?.featured) return;
    try {
      view.showPicks((await api.list(uri, null, null, 'only')).comments);
    } catch {
      // An extra, like the counts: the discussion below has the same comments.
    }
  }

  async function loadMore() {
    const added = await load(false);
    if (!added) return;
    view.announce(tn('thread.loaded', added.length));
    if (!state.cursor && added[0]) view.focus(added[0].id);
  }

  function sort(value) {
    state.setSort(value);
    load(true);
  }

  /** Post a comment, or a reply to the comment `parent` (an id), with the proof of work the
   * site asks for: once more with a new one if the server refused that proof. */
  async function publish(values, parent, again) {
    const body = { ...values, site, uri, parent, title: ctx.title || document.title };
    let answer;
    try {
      answer = await api.post({ ...body, ...(await ctx.guard.take()) });
    } catch (err) {
      if (again || !err.error?.reason?.startsWith('challenge_')) throw err;
      return publish(values, parent, true);
    }
    const { comment, token } = answer;
    store.setOwn(comment.id, token, Date.now(), values.text);
    state.add(comment, true);
    if (comment.status === 'approved') state.changeCount(1);
    view.announce(t(comment.status === 'approved' ? 'comment.published' : 'comment.pending'));
    view.focus(comment.id);
  }

  const reply = (id) => view.openReply(id, (values) => publish(values, id));

  function edit(id) {
    const own = store.own(id);
    view.openEditor(id, own, async (text) => {
      const answer = await api.edit(id, text, own.token).catch(refused(id));
      store.setOwn(id, own.token, own.at, text);
      state.replace(answer.comment);
      view.announce(t('comment.saved'));
      view.focus(id);
    });
  }

  async function remove(id) {
    try {
      await api.remove(id, store.own(id)?.token).catch(refused(id));
    } catch (err) {
      view.repaint(id);
      return view.fail(id, err);
    }
    store.forget(id);
    // As it is now: the live stream (live.js) may have removed it, or counted it out, meanwhile.
    const c = state.items.get(id);
    if (c) {
      const kept = view.replyIds(id).some((reply) => state.items.get(reply)?.status === 'approved');
      if (kept) state.markDeleted(id);
      else state.remove(id);
      if (c.status === 'approved') state.changeCount(-1);
    }
    view.announce(t('comment.removed'));
    view.focusHeading();
  }

  /** Like (1) or dislike (-1); the same again withdraws the vote. */
  async function vote(id, value) {
    const next = store.vote(id) === value ? 0 : value;
    try {
      const counts = await api.vote(id, next);
      store.setVote(id, next);
      state.setVotes(id, counts);
    } catch (err) {
      return view.fail(id, err);
    }
    view.focusAct(id, value > 0 ? 'like' : 'dislike');
  }

  function report(id) {
    view.openReport(id, async (values) => {
      await api.report(id, values);
      store.setReported(id);
      view.repaint(id);
      view.note(id, t('report.thanks'));
      view.announce(t('report.thanks'));
    });
  }

  /** After the server refuses an author's token, the edit and delete buttons go. */
  const refused = (id) => (err) => {
    if (REFUSED.includes(err.error?.code)) store.forget(id);
    throw err;
  };

  /** Scroll to and highlight `#comment-N`, loading pages until it comes. */
  async function reveal() {
    const match = /^#comment-(\d+)$/.exec(location.hash);
    if (!match) return;
    const id = Number(match[1]);
    for (let page = 0; !state.items.has(id) && state.cursor && page < 100; page++) {
      if (!(await load(false))) return;
    }
    view.target(id);
  }

  function act(name, id) {
    if (name === 'reply') reply(id);
    else if (name === 'edit') edit(id);
    else if (name === 'delete') view.confirmDelete(id, () => remove(id));
    else if (name === 'report') report(id);
    else vote(id, name === 'like' ? 1 : -1);
  }

  return { load, picks, loadMore, sort, publish, act, reveal };
}
