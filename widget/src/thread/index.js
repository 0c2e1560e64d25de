// The discussion of one page: its state (state.js), what is on screen (view.js, controls.js),
// what readers do (actions.js) and what others do meanwhile (live.js).
import { makeGuard } from '../pow.js';
import { threadActions } from './actions.js';
import { followLive } from './live.js';
import { makeThreadState } from './state.js';
import { threadView } from './view.js';

export function mountThread(root, ctx) {
  ctx.guard = makeGuard(ctx.api, ctx.uri);
  const state = makeThreadState();
  const on = {};
  const view = threadView(root, ctx, state, on);
  Object.assign(on, threadActions(ctx, state, view));
  addEventListener('hashchange', on.reveal);
  followLive(root, ctx, state, view, () => on.load(true));
  on.load(true).then(on.picks).then(on.reveal);
}
