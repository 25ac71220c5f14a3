const errors = {
  email: "Enter a valid email address.",
  password: "Password must be at least 8 characters.",
};

export default async function SignupPage({ searchParams }) {
  const { sent, error } = await searchParams;
  if (sent) {
    return (
      <>
        <h1>Check your inbox</h1>
        <p className="notice">We sent a link to confirm your email. Open it, then sign in.</p>
      </>
    );
  }
  return (
    <>
      <h1>Create an account</h1>
      {error && <p className="error">{errors[error] ?? "Something went wrong."}</p>}
      <form method="post" action="/api/signup">
        <label>Name <input name="name" autoComplete="name" /></label>
        <label>Email <input name="email" type="email" required autoComplete="email" /></label>
        <label>Password <input name="password" type="password" required minLength={8} autoComplete="new-password" /></label>
        <button type="submit">Sign up</button>
      </form>
      <p>Already a member? <a href="/api/auth/signin">Sign in</a></p>
    </>
  );
}
