import { redirect } from "next/navigation";
import { currentUser } from "./auth";

// requireUser is the server-side session check of every member page:
// visitors without a session go to the sign-in page and come back after.
export async function requireUser(path) {
  const user = await currentUser();
  if (!user) redirect(`/api/auth/signin?callbackUrl=${encodeURIComponent(path)}`);
  return user;
}
