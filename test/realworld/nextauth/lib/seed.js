// Creates the members named by SEED_* (verified; the admin with the admin
// role) and a few notes each, once per data folder.
import crypto from "node:crypto";
import { update } from "./db";
import { hashPassword } from "./passwords";

const seeds = [
  { key: "A", name: "Alice Member", role: "member", notes: ["Q3 budget draft", "Dentist on Tuesday", "Gift ideas for Sam"] },
  { key: "B", name: "Bob Member", role: "member", notes: ["Reading list", "Bike repair quote"] },
  { key: "ADMIN", name: "Ada Admin", role: "admin", notes: ["Launch checklist", "Vendor contacts"] },
];

export async function seed() {
  for (const s of seeds) {
    const email = process.env[`SEED_${s.key}_EMAIL`]?.trim().toLowerCase();
    const password = process.env[`SEED_${s.key}_PASSWORD`];
    if (!email || !password) continue;
    const passwordHash = await hashPassword(password);
    update((db) => {
      if (db.users.some((u) => u.email === email)) return;
      const now = new Date().toISOString();
      const id = crypto.randomUUID();
      db.users.push({ id, email, name: s.name, role: s.role, passwordHash, emailVerified: now, createdAt: now });
      for (const title of s.notes) {
        db.notes.push({
          id: crypto.randomUUID(), ownerId: id, title,
          body: `${title}: private note of ${s.name} (${crypto.randomBytes(6).toString("hex")})`,
          createdAt: now, updatedAt: now,
        });
      }
    });
  }
}
