// The report dialog: a native modal <dialog> named by its heading, with the reasons as radio
// buttons and an optional note. The browser moves the focus in and closes it on Escape; the
// focus goes back where the caller says when it closes, whichever way.
import { errorText } from './api.js';
import { h, uid } from './dom.js';

const REASONS = ['offensive', 'abusive', 'spam', 'off_topic', 'illegal', 'other'];

/** One dialog for the thread, put in `root` (the widget's section, for its styles). */
export function reportDialog(root, i18n) {
  const { t } = i18n;
  const id = uid('report');
  let send, back;
  const note = h('textarea', { id: `${id}-note`, name: 'note', maxlength: 500, rows: 3 });
  const error = h('p', { class: 'palabre-error', role: 'alert' });
  const form = h('form', { class: 'palabre-form', novalidate: true, onsubmit },
    h('h3', { id: `${id}-title` }, t('report.label')),
    h('fieldset', null, h('legend', null, t('report.reason')),
      ...REASONS.map((reason) =>
        h('label', null, h('input', { type: 'radio', name: 'reason', value: reason }), ' ',
          t(`report.${reason}`)))),
    h('p', { class: 'palabre-field' }, h('label', { for: note.id }, t('report.note')), note),
    error,
    h('div', { class: 'palabre-buttons' },
      h('button', { type: 'button', onclick: () => dialog.close() }, t('form.cancel')),
      h('button', { class: 'palabre-submit' }, t('report.send'))));
  const dialog = h('dialog', { class: 'palabre-dialog', 'aria-labelledby': `${id}-title`,
    onclose: () => back() }, form);
  root.append(dialog);

  /** The reason is the server's to check: its refusal says, in the reader's language, why. */
  async function onsubmit(event) {
    event.preventDefault();
    error.textContent = '';
    try {
      await send({ reason: form.elements.reason.value, note: note.value.trim() });
    } catch (err) {
      error.textContent = errorText(i18n, err);
      if (err.error?.field === 'reason') form.querySelector('input').focus();
      return;
    }
    dialog.close();
  }

  /** Ask about one comment: `send({reason, note})` reports it, `back()` puts the focus back. */
  return (sendReport, focusBack) => {
    send = sendReport;
    back = focusBack;
    form.reset();
    error.textContent = '';
    dialog.showModal();
  };
}
