import { cookies } from "next/headers";
import { currentUser } from "@/lib/auth";
import { update } from "@/lib/db";
import { json, seeOther } from "@/lib/http";

// Deletes the signed-in member's account and notes, then the session
// cookie (the JWT itself stays valid until it expires, but currentUser no
// longer finds its member).
export async function POST() {
  const user = await currentUser();
  if (!user) return json({ error: "Unauthorized" }, 401);
  update((db) => {
    db.users = db.users.filter((u) => u.id !== user.id);
    db.notes = db.notes.filter((n) => n.ownerId !== user.id);
    db.tokens = db.tokens.filter((t) => t.userId !== user.id);
  });
  const jar = await cookies();
  for (const c of jar.getAll()) {
    // A __Secure- cookie is only replaced by one that is Secure too.
    if (c.name.includes("next-auth.session-token")) {
      jar.set(c.name, "", { path: "/", maxAge: 0, httpOnly: true, sameSite: "lax", secure: c.name.startsWith("__Secure-") });
    }
  }
  return seeOther("/?deleted=1");
}
