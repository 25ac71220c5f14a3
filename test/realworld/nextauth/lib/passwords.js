import bcrypt from "bcryptjs";

// Compared against when the email is unknown, so that a wrong email and a
// wrong password cost the same time (no account enumeration by timing).
const DUMMY_HASH = bcrypt.hashSync("not-a-real-password", 10);

export const hashPassword = (pw) => bcrypt.hash(pw, 10);

export function checkPassword(pw, hash) {
  return bcrypt.compare(String(pw || ""), hash || DUMMY_HASH);
}

// The rule from the Auth.js credentials guide's zod schema: at least 8
// characters (and a maximum, here bcrypt's 72 bytes).
export function passwordProblem(pw) {
  if (typeof pw !== "string" || pw.length < 8) return "Password must be at least 8 characters.";
  if (Buffer.byteLength(pw) > 72) return "Password must be at most 72 bytes.";
  return null;
}
