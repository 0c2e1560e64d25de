// What the browser remembers, in localStorage only: author details, edit tokens, own votes,
// the comments it reported.

const WEEK = 7 * 86400e3;

export function makeStore(base) {
  const key = `palabre:${base}`;
  let data;
  try {
    data = JSON.parse(localStorage.getItem(key)) || {};
  } catch {
    data = {};
  }
  const author = data.author || {};
  const tokens = data.tokens || {};
  const votes = data.votes || {};
  const reported = data.reported || {};
  for (const id in tokens) if (Date.now() - tokens[id].at > WEEK) delete tokens[id];

  const save = () => {
    try {
      localStorage.setItem(key, JSON.stringify({ author, tokens, votes, reported }));
    } catch {
      // Private mode or a full quota: the widget works, it just forgets.
    }
  };

  return {
    author: () => author,
    setAuthor(fields) {
      Object.assign(author, fields);
      save();
    },
    /** `{token, at, text}` for a comment this browser wrote, else undefined. */
    own: (id) => tokens[id],
    setOwn(id, token, at, text) {
      tokens[id] = { token, at, text };
      save();
    },
    forget(id) {
      delete tokens[id];
      save();
    },
    vote: (id) => votes[id] || 0,
    setVote(id, value) {
      if (value) votes[id] = value;
      else delete votes[id];
      save();
    },
    reported: (id) => reported[id],
    setReported(id) {
      reported[id] = 1;
      save();
    },
  };
}
