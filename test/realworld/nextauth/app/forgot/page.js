export default async function ForgotPage({ searchParams }) {
  const { sent } = await searchParams;
  return (
    <>
      <h1>Forgot your password?</h1>
      {sent ? (
        <p className="notice">If an account exists for that email, we sent a link to reset the password.</p>
      ) : (
        <form method="post" action="/api/forgot">
          <label>Email <input name="email" type="email" required autoComplete="email" /></label>
          <button type="submit">Send reset link</button>
        </form>
      )}
    </>
  );
}
