// The thread on screen: heading, form, sort, list, "Load more", errors and the live region.
// It follows the state (state.js) and tells `on` (the actions) what the reader asked for.
import { errorText } from '../api.js';
import { actions, paint, renderComment } from '../comment.js';
import { h, uid } from '../dom.js';
import { commentForm } from '../form.js';
import { commentControls } from './controls.js';
import { SORTS } from './state.js';

/** `on`: `act(name, id)`, `publish(values, parent)`, `sort(value)`, `loadMore()`. */
export function threadView(root, ctx, state, on) {
  const { i18n, uri } = ctx;
  const { t, tn } = i18n;
  /** Comment id → `{c, el, replies, form, editing}` as comment.js renders it. */
  const nodes = new Map();
  // What comment.js and form.js read (their `view`); comment skeletons are cached per such object.
  const env = {
    i18n,
    store: ctx.store,
    items: nodes,
    closed: state.closed,
    editWindow: state.editWindow,
  };
  let mounted = false;

  const heading = h('h2', { class: 'palabre-heading', tabindex: '-1' });
  const live = h('p', { class: 'palabre-sr palabre-live', 'aria-live': 'polite' });
  const top = h('div', { class: 'palabre-top' });
  const sorter = h(
    'select',
    { id: uid('sort'), onchange: () => on.sort(sorter.value) },
    ...SORTS.map((sort) => h('option', { value: sort }, t(`thread.sort.${sort}`))),
  );
  const toolbar = h('p', { class: 'palabre-toolbar' },
    h('label', { for: sorter.id }, t('thread.sort')), ' ', sorter);
  const list = h('div', { class: 'palabre-list', onclick: act });
  const empty = h('p', { class: 'palabre-empty' }, t('thread.empty'));
  const more = h('button', { type: 'button', class: 'palabre-more', onclick: () => on.loadMore() },
    t('thread.load_more'));
  const failure = h('p', { class: 'palabre-error', role: 'alert' });
  // A page's comments gather here and join the list a slice at a time (flush).
  const pending = document.createDocumentFragment();

  function mount() {
    mounted = true;
    top.append(
      state.thread.closed
        ? h('p', { class: 'palabre-closed' }, t('thread.closed'))
        : commentForm(env, {
            label: t('form.label'),
            submit: t('form.submit'),
            author: true,
            send: (values) => on.publish(values, null),
          }),
    );
    root.classList.add('palabre');
    root.lang = i18n.lang;
    root.replaceChildren(heading, top, toolbar, list, empty, failure, more, live);
  }

  function refresh() {
    const { thread } = state;
    heading.textContent = tn('thread.heading', thread.count, {
      title: ctx.title || thread.title || document.title,
    });
    ctx.showCount(uri, thread.count);
    empty.hidden = state.items.size > 0;
    more.hidden = !state.cursor || list.hasAttribute('aria-busy');
  }

  /** Render `c` into its parent's replies, else into `box`. */
  function place(c, box, fresh) {
    const item = renderComment(c, env);
    nodes.set(c.id, item);
    box = nodes.get(c.parent)?.replies || box;
    if (fresh && box === list && state.sort === 'newest') box.prepend(item.el);
    else box.append(item.el);
  }

  /** Clicks on any comment's buttons, handled once for the whole list. */
  function act(event) {
    const button = event.target.closest('button[data-act]');
    const el = button?.closest('.palabre-comment');
    const item = el && nodes.get(Number(el.id.slice(8)));
    if (!item) return;
    item.el.querySelector(':scope > .palabre-error')?.remove();
    on.act(button.dataset.act, item.c.id);
  }

  // The state's changes (see state.js), as they show.
  const follow = {
    reset() {
      list.replaceChildren();
      nodes.clear();
    },
    add: (c) => place(c, pending),
    new(c) {
      place(c, list, true);
      refresh();
    },
    /** A new version of the comment: it is painted again, an open editor goes. */
    change(c) {
      const item = nodes.get(c.id);
      item.c = c;
      item.editing = null;
      paint(item, env);
    },
    vote(c) {
      const item = nodes.get(c.id);
      item.el.querySelector('.palabre-actions').replaceWith(actions(item, env));
    },
    remove(id) {
      nodes.get(id).el.remove();
      nodes.delete(id);
    },
    thread: refresh,
  };
  state.subscribe((change, c) => follow[change](c));

  if (!root.firstElementChild) root.append(h('p', null, t('thread.loading')));

  return {
    ...commentControls(nodes, env),
    busy() {
      list.setAttribute('aria-busy', 'true');
      more.hidden = true;
    },
    idle: () => list.removeAttribute('aria-busy'),
    /** Append what the last slice placed. */
    flush: () => list.append(pending),
    /** Let the browser skip this comment's layout until it scrolls near. */
    defer: (id) => nodes.get(id).el.classList.add('palabre-lazy'),
    /** A page's first slice is in: show the thread (the first time, instead of what was there). */
    shown() {
      failure.replaceChildren();
      const first = !mounted;
      if (first) mount();
      refresh();
      if (first) root.dispatchEvent(new CustomEvent('palabre:ready', { bubbles: true }));
    },
    failed(err, retry) {
      failure.replaceChildren(errorText(i18n, err), ' ',
        h('button', { type: 'button', onclick: retry }, t('thread.retry')));
      if (!mounted) root.prepend(failure);
      more.hidden = !state.cursor;
    },
    announce(message) {
      live.textContent = message;
    },
    focusHeading: () => heading.focus(),
    /** Scroll to, highlight and focus a comment (a permalink). */
    target(id) {
      const el = nodes.get(id)?.el;
      if (!el) return;
      list.querySelector('.palabre-target')?.classList.remove('palabre-target');
      el.classList.add('palabre-target');
      el.scrollIntoView({ block: 'center' });
      el.focus({ preventScroll: true });
    },
  };
}
