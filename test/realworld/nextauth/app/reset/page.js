import { peekToken } from "@/lib/tokens";

export default async function ResetPage({ searchParams }) {
  const { token, error, done } = await searchParams;
  if (done) {
    return (
      <>
        <h1>Password changed</h1>
        <p className="notice">Your new password is set.</p>
        <p><a href="/api/auth/signin?callbackUrl=/dashboard">Sign in</a></p>
      </>
    );
  }
  if (!peekToken("reset", token)) {
    return (
      <>
        <h1>Link not valid</h1>
        <p className="error">This reset link was already used or has expired. <a href="/forgot">Ask for a new one</a>.</p>
      </>
    );
  }
  return (
    <>
      <h1>Choose a new password</h1>
      {error === "password" && <p className="error">Password must be at least 8 characters.</p>}
      <form method="post" action="/api/reset">
        <input type="hidden" name="token" value={token} />
        <label>New password <input name="password" type="password" required minLength={8} autoComplete="new-password" /></label>
        <button type="submit">Set password</button>
      </form>
    </>
  );
}
