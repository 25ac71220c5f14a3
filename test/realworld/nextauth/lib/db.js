// A small JSON-file store in $DATA_DIR. Every call reads the file and every
// change writes it back (atomically, through a rename): the data set is a
// few members and notes, and this keeps route handlers and server
// components, which Next.js may bundle separately, on one source of truth.
import fs from "node:fs";
import path from "node:path";

const file = () => path.join(process.env.DATA_DIR || ".data", "db.json");

const empty = () => ({ users: [], notes: [], tokens: [] });

export function load() {
  try {
    return JSON.parse(fs.readFileSync(file(), "utf8"));
  } catch (err) {
    if (err.code === "ENOENT") return empty();
    throw err;
  }
}

function save(data) {
  fs.mkdirSync(path.dirname(file()), { recursive: true });
  const tmp = `${file()}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(data, null, 2));
  fs.renameSync(tmp, file());
}

// update runs fn on the current data and saves what it left; Node runs it
// synchronously, so two requests never interleave inside it.
export function update(fn) {
  const data = load();
  const result = fn(data);
  save(data);
  return result;
}

export const findUserByEmail = (email) =>
  load().users.find((u) => u.email === String(email || "").trim().toLowerCase()) ?? null;

export const findUserById = (id) => load().users.find((u) => u.id === id) ?? null;

// publicUser is what the API says about a member: never the password hash.
export function publicUser(u) {
  return { id: u.id, email: u.email, name: u.name, role: u.role, emailVerified: u.emailVerified, createdAt: u.createdAt };
}
