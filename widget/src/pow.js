// Proof of work (ALTCHA v1, SHA-256): find the number n whose SHA-256(salt + n) is the
// challenge. Digests run in batches through WebCrypto, whose answers come back as tasks,
// so the page keeps answering keystrokes while a batch is hashed.
const BATCH = 1024;
const hex = (hash) => [...new Uint8Array(hash)].map((b) => (b + 256).toString(16).slice(1)).join('');

/** Resolves with the n of `c` (`{challenge, salt, maxNumber}`, as the server sent it). A
 * hash is turned into hex only when its first 32 bits match: that is most of the work saved. */
export async function solve(c) {
  const bytes = new TextEncoder();
  const head = Number.parseInt(c.challenge.slice(0, 8), 16);
  for (let start = 0; start <= c.maxNumber; start += BATCH) {
    const batch = [];
    for (let n = start; n < start + BATCH; n++) {
      batch.push(crypto.subtle.digest('SHA-256', bytes.encode(c.salt + n)));
    }
    const found = (await Promise.all(batch)).findIndex(
      (hash) => new DataView(hash).getUint32(0) === head && hex(hash) === c.challenge,
    );
    if (found >= 0) return start + found;
  }
}

const FRESH_MS = 25 * 60e3; // a challenge is used this long (the server accepts it for 30 min)

/**
 * One challenge at a time for a thread's forms: `start()` when a form is first used fetches
 * and solves one in the background; `take()` resolves, once it is solved and the site's
 * minimum time has passed, with the body fields to post (`{proof}`; none when the site asks
 * for nothing); each is taken once.
 */
export function makeGuard(api, uri) {
  let pending;
  const fetchOne = async () => {
    const { challenge: c, wait } = await api.challenge(uri);
    const at = Date.now() + wait * 1e3;
    if (!c) return { at };
    const { algorithm, challenge, salt, signature } = c;
    const number = await solve(c);
    return { at, proof: btoa(JSON.stringify({ algorithm, challenge, number, salt, signature })) };
  };
  const start = () => {
    if (!pending || Date.now() - pending.since > FRESH_MS) {
      pending = { since: Date.now(), ready: fetchOne() };
      pending.ready.catch(() => {}); // reported when taken
    }
    return pending.ready;
  };
  async function take() {
    try {
      const { at, proof } = await start();
      await new Promise((done) => setTimeout(done, at - Date.now()));
      return proof ? { proof } : {};
    } finally {
      pending = null;
    }
  }
  return { start, take };
}
