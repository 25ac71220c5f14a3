import "./globals.css";

export const metadata = { title: "Notes portal", description: "Private notes for members" };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>
        <header>
          <a href="/" className="brand">Notes portal</a>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
