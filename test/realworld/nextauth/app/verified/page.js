export default async function VerifiedPage({ searchParams }) {
  const { error } = await searchParams;
  return error ? (
    <>
      <h1>Link not valid</h1>
      <p className="error">This confirmation link was already used or has expired. Sign up again to get a new one.</p>
    </>
  ) : (
    <>
      <h1>Email confirmed</h1>
      <p className="notice">Your account is active.</p>
      <p><a href="/api/auth/signin?callbackUrl=/dashboard">Sign in</a></p>
    </>
  );
}
