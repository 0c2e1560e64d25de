// The discussion of one page: its state (state.js), what is on screen (view.js, controls.js)
// and what readers do (actions.js).
import { makeGuard } from '../pow.js';
import { threadActions } from './actions.js';
import { makeThreadState } from './state.js';
import { threadView } from './view.js';

export function mountThread(root, ctx) {
  ctx.guard = makeGuard(ctx.api, ctx.uri);
  const state = makeThreadState();
  const on = {};
  const view = threadView(root, ctx, state, on);
  Object.assign(on, threadActions(ctx, state, view));
  addEventListener('hashchange', on.reveal);
  on.load(true).then(on.picks).then(on.reveal);
}
