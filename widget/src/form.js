// The comment form: a new comment, a reply or an edit, with a live Markdown preview.
// The text typed is only cleared once the server has accepted it.
import { errorText } from './api.js';
import { h, uid } from './dom.js';
import { preview } from './markdown.js';

const AUTHOR_FIELDS = [
  ['author', 'text', 'name'],
  ['email', 'email', 'email'],
  ['website', 'url', 'url'],
];

/**
 * `opts`: `label` (the form's accessible name), `submit` (button text), `text` (initial),
 * `author` (true to ask for name, email, website), `send(values)` (a promise; rejects with an
 * ApiError), `cancel()` (optional).
 */
export function commentForm(view, opts) {
  const { t } = view.i18n;
  const id = uid('form');
  const fields = {};
  let busy = false;
  const field = (name, type, autocomplete, attrs) => {
    const input = h(type === 'textarea' ? 'textarea' : 'input', {
      id: `${id}-${name}`,
      name,
      type: type === 'textarea' ? null : type,
      autocomplete,
      ...attrs,
    });
    fields[name] = input;
    return h('p', { class: `palabre-field palabre-field-${name}` },
      h('label', { for: input.id }, t(`form.${name}`)), input);
  };

  const error = h('p', { class: 'palabre-error', id: `${id}-error`, role: 'alert' });
  const shown = h('div', { class: 'palabre-preview palabre-body', hidden: true });
  const submit = h('button', { type: 'submit', class: 'palabre-submit' }, opts.submit);
  // "Are you sure?" (422 confirm_required): the server's message above, then the choice.
  const edit = h('button', {
    type: 'button',
    onclick: () => {
      offerChoice(false);
      fields.text.focus();
    },
  }, t('form.nudge_edit'));
  // Named by the message only while shown: hidden, it must not answer to the error's words.
  const choice = h('div', { class: 'palabre-buttons', role: 'group', hidden: true },
    edit,
    h('button', { type: 'button', class: 'palabre-submit', onclick: () => post({ ...collect(), confirm: true }) },
      t('form.nudge_confirm')),
  );
  const toggle = h('button', { type: 'button', 'aria-pressed': 'false', onclick: togglePreview },
    t('form.preview'));
  const remembered = view.store.author();
  const { typed } = view;
  const form = h(
    'form',
    {
      class: 'palabre-form',
      'aria-label': opts.label,
      novalidate: true,
      onsubmit,
      // A comment's proof of work is solved while the reader writes it (pow.js).
      onfocusin: () => opts.author && view.guard.start(),
    },
    field('text', 'textarea', 'off', {
      rows: 4,
      value: opts.text || '',
      'aria-describedby': `${id}-hint`,
      oninput: () => shown.hidden || render(),
    }),
    shown,
    h('p', { class: 'palabre-hint', id: `${id}-hint` }, t('form.hint')),
    opts.author &&
      h('div', { class: 'palabre-author-fields' },
        ...AUTHOR_FIELDS.map(([name, type, autocomplete]) =>
          field(name, type, autocomplete, {
            value: typed[name] ?? remembered[name] ?? '',
            onchange: share,
          }),
        ),
        notifyBox(),
        // A honeypot: hidden from people and assistive technologies, filled by bots.
        (fields.honeypot = h('input', {
          name: 'subject',
          class: 'palabre-sr',
          tabindex: -1,
          autocomplete: 'off',
          'aria-hidden': 'true',
        })),
      ),
    error,
    choice,
    h('div', { class: 'palabre-buttons' },
      toggle,
      opts.cancel && h('button', { type: 'button', onclick: opts.cancel }, t('form.cancel')),
      submit,
    ),
  );

  /** "Notify me of replies by email", shown only when the server sends mail (/mail/options). */
  function notifyBox() {
    const input = (fields.notify = h('input', { type: 'checkbox', id: `${id}-notify` }));
    const box = h('p', { class: 'palabre-notify', hidden: true },
      input, ' ', h('label', { for: input.id }, t('form.notify')));
    view.mail().then((options) => (box.hidden = !options?.notify));
    return box;
  }

  /** What the reader typed in one form's author field also fills the others on screen,
   * where still empty, and the forms opened later. */
  function share({ target: { name, value } }) {
    typed[name] = value;
    for (const input of document.querySelectorAll(`.palabre-author-fields [name=${name}]`)) {
      input.value ||= value;
    }
  }

  function render() {
    shown.replaceChildren();
    preview(shown, fields.text.value);
  }

  function togglePreview() {
    shown.hidden = !shown.hidden;
    toggle.setAttribute('aria-pressed', String(!shown.hidden));
    if (!shown.hidden) render();
  }

  /** Show `message`; when it is about one field, mark that field and move there. */
  function showError(message, name) {
    for (const input of Object.values(fields)) {
      input.removeAttribute('aria-invalid');
      const described = [input === fields[name] && error.id, input === fields.text && `${id}-hint`];
      if (described.some(Boolean)) input.setAttribute('aria-describedby', described.filter(Boolean).join(' '));
      else input.removeAttribute('aria-describedby');
    }
    error.textContent = message;
    const input = fields[name];
    if (!input) return;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }

  /** The body to post, from the fields as they are now. */
  function collect() {
    const values = { text: fields.text.value };
    for (const [name] of AUTHOR_FIELDS) if (fields[name]) values[name] = fields[name].value.trim();
    if (fields.honeypot) values.honeypot = fields.honeypot.value;
    if (fields.notify?.checked) values.notify = true;
    return values;
  }

  function onsubmit(event) {
    event.preventDefault();
    const values = collect();
    if (!values.text.trim()) return showError(t('error.text_empty'), 'text');
    post(values);
  }

  function offerChoice(on) {
    choice.hidden = !on;
    if (on) choice.setAttribute('aria-labelledby', error.id);
    else choice.removeAttribute('aria-labelledby');
  }

  async function post(values) {
    if (busy) return;
    showError('');
    offerChoice(false);
    busy = true;
    submit.setAttribute('aria-disabled', 'true');
    try {
      await opts.send(values);
      if (opts.author) view.store.setAuthor(Object.fromEntries(AUTHOR_FIELDS.map(([name]) => [name, values[name]])));
      fields.text.value = '';
      if (!shown.hidden) togglePreview();
    } catch (err) {
      const nudged = err.error?.reason === 'confirm_required';
      showError(errorText(view.i18n, err), !nudged && err.error?.field);
      if (nudged) {
        offerChoice(true);
        edit.focus();
      }
    } finally {
      busy = false;
      submit.removeAttribute('aria-disabled');
    }
  }

  form.focusText = () => fields.text.focus();
  return form;
}
