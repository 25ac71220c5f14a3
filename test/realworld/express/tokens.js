// One-time tokens mailed to members (verify email, reset password): only a
// SHA-256 of each token is stored, and a token is deleted when it is used.
const crypto = require('node:crypto');
const db = require('./db');

const digest = (token) => crypto.createHash('sha256').update(String(token)).digest('hex');

function issue(userId, purpose, ttlMs) {
  const token = crypto.randomBytes(32).toString('base64url');
  db.prepare('INSERT INTO tokens (token_hash, user_id, purpose, expires_at) VALUES (?, ?, ?, ?)')
    .run(digest(token), userId, purpose, Date.now() + ttlMs);
  return token;
}

// find returns the member a live token belongs to, without using it up.
function find(token, purpose) {
  if (typeof token !== 'string' || token === '') { return undefined; }
  return db.prepare(`SELECT users.* FROM tokens JOIN users ON users.id = tokens.user_id
    WHERE tokens.token_hash = ? AND tokens.purpose = ? AND tokens.expires_at > ?`)
    .get(digest(token), purpose, Date.now());
}

// consume uses a token up: every token of that purpose for the member goes.
function consume(userId, purpose) {
  db.prepare('DELETE FROM tokens WHERE user_id = ? AND purpose = ?').run(userId, purpose);
}

module.exports = { issue, find, consume };
