// The discussion: heading, form, sorted and paginated list, and what readers do to comments.
import { errorText } from './api.js';
import { actions, paint, renderComment } from './comment.js';
import { h, uid } from './dom.js';
import { commentForm } from './form.js';

const SORTS = ['oldest', 'newest', 'top'];
const EDIT_WINDOW = 900; // seconds: the contract's default, unless the thread says otherwise
const FIRST_SLICE = 15; // comments: a screenful, the next slices follow within a frame
const SLICE_MS = 12;
const REFUSED = ['edit_window_expired', 'forbidden', 'unauthorized', 'not_found'];

export function mountThread(root, ctx) {
  const { i18n, api, store, site, uri } = ctx;
  const { t, tn } = i18n;
  const items = new Map();
  let thread = null;
  let cursor = null;
  let mounted = false;
  let request = 0;

  const view = {
    i18n,
    store,
    items,
    closed: () => !!thread?.closed,
    editWindow: () => (thread?.edit_window_seconds ?? EDIT_WINDOW) * 1e3,
  };

  const heading = h('h2', { class: 'palabre-heading', tabindex: '-1' });
  const live = h('p', { class: 'palabre-sr palabre-live', 'aria-live': 'polite' });
  const top = h('div', { class: 'palabre-top' });
  const sorter = h(
    'select',
    { id: uid('sort'), onchange: () => load(true) },
    ...SORTS.map((sort) => h('option', { value: sort }, t(`thread.sort.${sort}`))),
  );
  const toolbar = h('p', { class: 'palabre-toolbar' },
    h('label', { for: sorter.id }, t('thread.sort')), ' ', sorter);
  const list = h('div', { class: 'palabre-list', onclick: act });
  const empty = h('p', { class: 'palabre-empty' }, t('thread.empty'));
  const more = h('button', { type: 'button', class: 'palabre-more', onclick: loadMore },
    t('thread.load_more'));
  const failure = h('p', { class: 'palabre-error', role: 'alert' });

  /**
   * Fetch the first page (`reset`) or the next one; resolves to the new items once all are
   * shown. A big page is shown in slices of a few milliseconds: the first screen at once,
   * the rest without blocking the page.
   */
  async function load(reset) {
    const mine = ++request;
    list.setAttribute('aria-busy', 'true');
    more.hidden = true;
    try {
      const data = await api.list(site, uri, sorter.value, reset ? null : cursor);
      if (mine !== request) return null;
      performance.mark('palabre-render');
      thread = data.thread;
      if (reset) {
        list.replaceChildren();
        items.clear();
      }
      const fresh = data.comments.filter((c) => !items.has(c.id));
      const added = [];
      const fragment = document.createDocumentFragment();
      const slice = (most) => {
        const end = performance.now() + SLICE_MS;
        const stop = Math.min(fresh.length, added.length + most);
        while (added.length < stop && performance.now() < end) {
          const item = place(fresh[added.length], fragment);
          if (added.push(item) > FIRST_SLICE && item.c.parent == null) {
            item.el.classList.add('palabre-lazy');
          }
        }
        list.append(fragment);
      };
      slice(FIRST_SLICE);
      failure.replaceChildren();
      const first = !mounted;
      if (first) mount();
      refresh();
      if (first) root.dispatchEvent(new CustomEvent('palabre:ready', { bubbles: true }));
      while (added.length < fresh.length) {
        await new Promise((resolve) => setTimeout(resolve));
        if (mine !== request) return null;
        slice(Infinity);
      }
      cursor = data.next_cursor;
      list.removeAttribute('aria-busy');
      refresh();
      performance.mark('palabre-done');
      return added;
    } catch (err) {
      if (mine !== request) return null;
      failure.replaceChildren(errorText(i18n, err), ' ',
        h('button', { type: 'button', onclick: () => load(reset) }, t('thread.retry')));
      if (!mounted) root.prepend(failure);
      more.hidden = !cursor;
      return null;
    } finally {
      if (mine === request) list.removeAttribute('aria-busy');
    }
  }

  function mount() {
    mounted = true;
    top.append(
      thread.closed
        ? h('p', { class: 'palabre-closed' }, t('thread.closed'))
        : commentForm(view, {
            label: t('form.label'),
            submit: t('form.submit'),
            author: true,
            send: (values) => publish(values, null),
          }),
    );
    root.classList.add('palabre');
    root.lang = i18n.lang;
    root.replaceChildren(heading, top, toolbar, list, empty, failure, more, live);
  }

  function refresh() {
    heading.textContent = tn('thread.heading', thread.count, {
      title: ctx.title || thread.title || document.title,
    });
    ctx.showCount(uri, thread.count);
    empty.hidden = items.size > 0;
    more.hidden = !cursor || list.hasAttribute('aria-busy');
  }

  function place(c, container, fresh) {
    const item = renderComment(c, view);
    items.set(c.id, item);
    const box = items.get(c.parent)?.replies || container;
    if (fresh && box === list && sorter.value === 'newest') box.prepend(item.el);
    else box.append(item.el);
    return item;
  }

  async function loadMore() {
    const added = await load(false);
    if (!added) return;
    announce(tn('thread.loaded', added.length));
    if (!cursor && added[0]) added[0].el.focus();
  }

  const announce = (message) => {
    live.textContent = message;
  };

  function changeCount(delta) {
    thread.count += delta;
    refresh();
  }

  async function publish(values, parent) {
    const { comment, token } = await api.post({
      ...values,
      site,
      uri,
      parent: parent ? parent.c.id : null,
      title: ctx.title || document.title,
    });
    store.setOwn(comment.id, token, Date.now(), values.text);
    const item = place(comment, list, true);
    if (comment.status === 'approved') changeCount(1);
    else refresh();
    announce(t(comment.status === 'approved' ? 'comment.published' : 'comment.pending'));
    item.el.focus();
  }

  function act(event) {
    const button = event.target.closest('button[data-act]');
    const el = button?.closest('.palabre-comment');
    const item = el && items.get(Number(el.id.slice(8)));
    if (!item) return;
    item.el.querySelector(':scope > .palabre-error')?.remove();
    const name = button.dataset.act;
    if (name === 'reply') reply(item);
    else if (name === 'edit') edit(item);
    else if (name === 'delete') confirmDelete(item);
    else vote(item, name === 'like' ? 1 : -1);
  }

  function reply(item) {
    if (item.form) return item.form.focusText();
    const close = () => {
      item.form.remove();
      item.form = null;
    };
    item.form = commentForm(view, {
      label: t('form.reply_label', { name: item.c.author || t('comment.anonymous') }),
      submit: t('form.reply'),
      author: true,
      send: async (values) => {
        await publish(values, item);
        close();
      },
      cancel: () => {
        close();
        focusAct(item, 'reply');
      },
    });
    item.replies.before(item.form);
    item.form.focusText();
  }

  function edit(item) {
    if (item.editing) return item.editing.focusText();
    const { c } = item;
    const own = store.own(c.id);
    const body = item.el.querySelector('.palabre-body');
    const done = () => {
      item.editing = null;
      paint(item, view);
    };
    item.editing = commentForm(view, {
      label: t('form.edit_label'),
      submit: t('form.save'),
      text: own.text ?? body.textContent,
      send: async ({ text }) => {
        const answer = await api.edit(c.id, text, own.token).catch(refused(c));
        store.setOwn(c.id, own.token, own.at, text);
        item.c = answer.comment;
        done();
        announce(t('comment.saved'));
        item.el.focus();
      },
      cancel: () => {
        done();
        focusAct(item, 'edit');
      },
    });
    body.replaceWith(item.editing);
    item.editing.focusText();
  }

  function confirmDelete(item) {
    const bar = item.el.querySelector('.palabre-actions');
    const yes = h('button', { type: 'button', onclick: () => remove(item) }, t('comment.delete'));
    const no = h('button', { type: 'button', onclick: () => {
      paint(item, view);
      focusAct(item, 'delete');
    } }, t('form.cancel'));
    bar.replaceWith(h('p', { class: 'palabre-actions' }, t('comment.delete_confirm'), ' ', yes, ' ', no));
    yes.focus();
  }

  async function remove(item) {
    const { c } = item;
    try {
      await api.remove(c.id, store.own(c.id)?.token).catch(refused(c));
    } catch (err) {
      paint(item, view);
      return fail(item, err);
    }
    store.forget(c.id);
    const kept = [...item.replies.querySelectorAll('.palabre-comment')].some(
      (el) => items.get(Number(el.id.slice(8)))?.c.status === 'approved',
    );
    if (kept) {
      item.c = { ...c, status: 'deleted', author: '', html: '', website: '' };
      paint(item, view);
    } else {
      item.el.remove();
      items.delete(c.id);
    }
    if (c.status === 'approved') changeCount(-1);
    announce(t('comment.removed'));
    heading.focus();
  }

  async function vote(item, value) {
    const { c } = item;
    const next = store.vote(c.id) === value ? 0 : value;
    try {
      Object.assign(c, await api.vote(c.id, next));
      store.setVote(c.id, next);
    } catch (err) {
      return fail(item, err);
    }
    item.el.querySelector('.palabre-actions').replaceWith(actions(item, view));
    focusAct(item, value > 0 ? 'like' : 'dislike');
  }

  /** After the server refuses an author's token, the edit and delete buttons go. */
  const refused = (c) => (err) => {
    if (REFUSED.includes(err.error?.code)) store.forget(c.id);
    throw err;
  };

  function fail(item, err) {
    const note = h('p', { class: 'palabre-error', role: 'alert' }, errorText(i18n, err));
    item.el.querySelector(':scope > .palabre-error')?.remove();
    item.el.querySelector(':scope > .palabre-actions').after(note);
  }

  const focusAct = (item, name) =>
    item.el.querySelector(`:scope > .palabre-actions [data-act="${name}"]`)?.focus();

  /** Scroll to and highlight `#comment-N`, loading pages until it comes. */
  async function reveal() {
    const match = /^#comment-(\d+)$/.exec(location.hash);
    if (!match) return;
    const id = Number(match[1]);
    for (let page = 0; !items.has(id) && cursor && page < 100; page++) {
      if (!(await load(false))) return;
    }
    const el = items.get(id)?.el;
    if (!el) return;
    list.querySelector('.palabre-target')?.classList.remove('palabre-target');
    el.classList.add('palabre-target');
    el.scrollIntoView({ block: 'center' });
    el.focus({ preventScroll: true });
  }

  if (!root.firstElementChild) root.append(h('p', null, t('thread.loading')));
  addEventListener('hashchange', reveal);
  load(true).then(reveal);
}
