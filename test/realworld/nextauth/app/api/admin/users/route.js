import { currentUser } from "@/lib/auth";
import { load, publicUser } from "@/lib/db";
import { json } from "@/lib/http";

export async function GET() {
  const user = await currentUser();
  if (!user) return json({ error: "Unauthorized" }, 401);
  if (user.role !== "admin") return json({ error: "Forbidden" }, 403);
  const { users, notes } = load();
  return json(users.map((u) => ({ ...publicUser(u), notes: notes.filter((n) => n.ownerId === u.id).length })));
}
