// One-time tokens for email verification and password reset: 32 random
// bytes in the link, only their SHA-256 stored, single use, expiring.
import crypto from "node:crypto";
import { load, update } from "./db";

const sha256 = (s) => crypto.createHash("sha256").update(s).digest("hex");

export function issueToken(kind, userId, ttlMs) {
  const token = crypto.randomBytes(32).toString("base64url");
  update((db) => {
    db.tokens = db.tokens.filter((t) => !(t.kind === kind && t.userId === userId));
    db.tokens.push({ kind, userId, hash: sha256(token), expires: Date.now() + ttlMs });
  });
  return token;
}

// consumeToken deletes the token and returns its member's id, or null when
// it is unknown, used or expired.
export function consumeToken(kind, token) {
  if (typeof token !== "string" || token === "") return null;
  const hash = sha256(token);
  return update((db) => {
    const t = db.tokens.find((x) => x.kind === kind && x.hash === hash);
    db.tokens = db.tokens.filter((x) => x !== t && x.expires > Date.now());
    return t && t.expires > Date.now() ? t.userId : null;
  });
}

// peekToken says whether a token is still usable, without using it.
export function peekToken(kind, token) {
  if (typeof token !== "string" || token === "") return false;
  const hash = sha256(token);
  return load().tokens.some((x) => x.kind === kind && x.hash === hash && x.expires > Date.now());
}
