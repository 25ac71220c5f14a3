import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth";

export default async function Home() {
  if (await currentUser()) redirect("/dashboard");
  return (
    <>
      <h1>Your notes, private to you</h1>
      <p>Members keep their notes here.</p>
      <nav>
        <a href="/signup">Create an account</a>
        <a href="/api/auth/signin">Sign in</a>
        <a href="/forgot">Forgot your password?</a>
      </nav>
    </>
  );
}
