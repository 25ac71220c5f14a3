import { update } from "@/lib/db";
import { consumeToken } from "@/lib/tokens";
import { seeOther } from "@/lib/http";

// The link in the verification mail.
export async function GET(req) {
  const userId = consumeToken("verify", req.nextUrl.searchParams.get("token"));
  if (!userId) return seeOther("/verified?error=1");
  update((db) => {
    const u = db.users.find((x) => x.id === userId);
    if (u && !u.emailVerified) u.emailVerified = new Date().toISOString();
  });
  return seeOther("/verified");
}
