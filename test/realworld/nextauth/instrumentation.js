// Next.js runs register() once when the server starts:
// https://nextjs.org/docs/app/guides/instrumentation
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { seed } = await import("./lib/seed");
    await seed();
  }
}
