// The thread's state, without any DOM: the server's thread, the comments on screen, paging and
// sorting. Every change goes through the functions below, which tell the subscribers (the
// view) what changed: `(change, comment)`, where `change` is one of
//   reset   the list was emptied, a new first page follows
//   add     a comment of a page came (in the server's order)
//   new     a comment appeared on its own (one this reader just posted)
//   change  a comment was replaced by a newer version (edited, or deleted but kept for its replies)
//   vote    a comment's likes and dislikes changed
//   remove  a comment went (given as its id)
//   thread  the count or the paging changed
// A change to a comment no longer in the thread (the list was reloaded meanwhile) is dropped.

export const SORTS = ['oldest', 'newest', 'top'];
const EDIT_WINDOW = 900; // seconds: the contract's default, unless the thread says otherwise

export function makeThreadState() {
  const subscribers = [];
  const tell = (change, c) => {
    for (const fn of subscribers) fn(change, c);
  };
  const items = new Map();

  const state = {
    /** The API's `thread`: title, count (approved comments), closed, edit_window_seconds. */
    thread: null,
    /** Comment id → comment, for every comment on screen. */
    items,
    /** `next_cursor` of the last page fetched: null when there is no other. */
    cursor: null,
    /** One of SORTS, as the reader picked it. */
    sort: SORTS[0],
    /** Bumped by every list request: the answer to an older one is dropped. */
    request: 0,

    subscribe: (fn) => subscribers.push(fn),
    closed: () => !!state.thread?.closed,
    editWindow: () => (state.thread?.edit_window_seconds ?? EDIT_WINDOW) * 1e3,

    /** A new list request; `current(mine)` stays true until the next one. */
    begin: () => ++state.request,
    current: (mine) => mine === state.request,
    setSort(value) {
      state.sort = value;
    },

    /** A page came: the thread as it is now, and (`reset`) no comment kept from before. */
    setThread(thread, reset) {
      state.thread = thread;
      if (reset) {
        items.clear();
        tell('reset');
      }
    },
    setCursor(cursor) {
      state.cursor = cursor;
      tell('thread');
    },
    changeCount(delta) {
      state.thread.count += delta;
      tell('thread');
    },

    /** `fresh`: not from a page, but new (shown first when sorting by newest). */
    add(c, fresh) {
      items.set(c.id, c);
      tell(fresh ? 'new' : 'add', c);
    },
    replace(c) {
      if (!items.has(c.id)) return;
      items.set(c.id, c);
      tell('change', c);
    },
    /** Deleted, but shown as such while it has approved replies. */
    markDeleted(id) {
      const c = items.get(id);
      if (c) state.replace({ ...c, status: 'deleted', author: '', html: '', website: '' });
    },
    setVotes(id, counts) {
      const c = items.get(id);
      if (!c) return;
      Object.assign(c, counts);
      tell('vote', c);
    },
    remove(id) {
      if (items.delete(id)) tell('remove', id);
    },
  };
  return state;
}
