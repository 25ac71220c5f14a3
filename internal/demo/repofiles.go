package demo

import (
	"fmt"
	"strings"
)

// The demo repository's files: a small Express membership portal. None
// holds a value; the secrets come from the environment (or, with
// EnvCommitted, from a committed .env).

// gitignore keeps local settings, dependencies and build output out of git.
const gitignore = `node_modules/
dist/
.env
.env.*
!.env.example
`

// envExample is the template a developer copies to .env: names, no values.
const envExample = `NODE_ENV=development
PORT=3000
APP_URL=http://localhost:3000
DB_PASSWORD=
DATABASE_URL=postgres://user:${DB_PASSWORD}@localhost:5432/portal
SESSION_SECRET=
STRIPE_SECRET_KEY=
STRIPE_PUBLISHABLE_KEY=
STRIPE_PRICE_ID=
`

// manifest says what package.json declares.
type manifest struct {
	// billing adds Stripe.
	billing bool
	// bundle adds the esbuild build script; sourceMap makes it write a
	// source map next to the bundle.
	bundle, sourceMap bool
}

// packageJSON renders package.json.
func (m manifest) packageJSON() string {
	deps := []string{`"express": "^4.21.2"`, `"express-session": "^1.18.1"`, `"pg": "^8.13.1"`}
	if m.billing {
		deps = append(deps, `"stripe": "^17.5.0"`)
	}
	scripts := []string{`"start": "node src/server.js"`}
	dev := ""
	if m.bundle {
		flags := "--bundle --minify"
		if m.sourceMap {
			flags += " --sourcemap"
		}
		scripts = append(scripts, `"build": "esbuild src/client/app.js `+flags+` --outfile=dist/static/app.js"`)
		dev = ",\n  \"devDependencies\": {\n    \"esbuild\": \"^0.24.2\"\n  }"
	}
	return fmt.Sprintf(`{
  "name": "portal",
  "version": "1.0.0",
  "private": true,
  "scripts": {
    %s
  },
  "dependencies": {
    %s
  }%s
}
`, strings.Join(scripts, ",\n    "), strings.Join(deps, ",\n    "), dev)
}

// readme describes the portal; withEnv documents the environment.
func readme(withEnv bool) string {
	s := `# Portal

The members community: login, invoices, messages and files.

    npm install
    npm start
`
	if withEnv {
		s += `
## Configuration

Copy .env.example to .env and fill it in; never commit .env. In
production the host's secret store provides the same variables.
`
	}
	return s
}

// serverJS is src/server.js mounting the named route modules.
func serverJS(routes ...string) string {
	var requires, mounts strings.Builder
	for _, r := range routes {
		fmt.Fprintf(&requires, "const %s = require(\"./routes/%s\");\n", r, r)
		fmt.Fprintf(&mounts, "app.use(%s.router);\n", r)
	}
	return `const express = require("express");
const session = require("express-session");
` + requires.String() + `
const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: false }));
app.use(session({
  name: "pm",
  secret: process.env.SESSION_SECRET,
  resave: false,
  saveUninitialized: false,
  cookie: { httpOnly: true, secure: true, sameSite: "lax", maxAge: 8 * 60 * 60 * 1000 },
}));
app.use(express.static("dist"));
` + mounts.String() + `
const port = Number(process.env.PORT || 3000);
app.listen(port, () => console.log("portal listening on :" + port));
`
}

// dbJS is src/db.js: the database pool and the queries the routes use.
const dbJS = `const { Pool } = require("pg");

const pool = new Pool({ connectionString: process.env.DATABASE_URL });

async function one(sql, params) {
  const { rows } = await pool.query(sql, params);
  return rows[0] || null;
}

async function all(sql, params) {
  const { rows } = await pool.query(sql, params);
  return rows;
}

module.exports = {
  checkLogin: (email, password) =>
    one("SELECT id FROM members WHERE email = $1 AND password_hash = crypt($2, password_hash)", [email, password]),
  member: (id) => one("SELECT id, email, display_name FROM members WHERE id = $1", [id]),
  invoices: (memberId) => all("SELECT id, total, issued_on FROM invoices WHERE member_id = $1", [memberId]),
  invoice: (id, memberId) => one("SELECT * FROM invoices WHERE id = $1 AND member_id = $2", [id, memberId]),
  messages: (memberId) => all("SELECT id, subject FROM messages WHERE member_id = $1", [memberId]),
  addMessage: (memberId, subject, body) =>
    one("INSERT INTO messages (member_id, subject, body) VALUES ($1, $2, $3) RETURNING id, subject", [memberId, subject, body]),
};
`

// authRouteJS is src/routes/auth.js.
const authRouteJS = `const express = require("express");
const db = require("../db");

const router = express.Router();

function requireMember(req, res, next) {
  if (!req.session.memberId) {
    return res.redirect("/login?next=" + encodeURIComponent(req.path));
  }
  next();
}

router.post("/login", async (req, res) => {
  const member = await db.checkLogin(req.body.email, req.body.password);
  if (!member) {
    return res.status(401).render("login", { error: "Invalid email or password." });
  }
  req.session.regenerate(() => {
    req.session.memberId = member.id;
    res.redirect("/dashboard");
  });
});

router.post("/logout", (req, res) => {
  req.session.destroy(() => res.redirect("/"));
});

module.exports = { router, requireMember };
`

// membersRouteJS is src/routes/members.js.
const membersRouteJS = `const express = require("express");
const db = require("../db");
const { requireMember } = require("./auth");

const router = express.Router();

router.get("/api/me", requireMember, async (req, res) => {
  res.json(await db.member(req.session.memberId));
});

module.exports = { router };
`

// billingRouteJS is src/routes/billing.js.
const billingRouteJS = `const express = require("express");
const Stripe = require("stripe");
const { requireMember } = require("./auth");

const stripe = Stripe(process.env.STRIPE_SECRET_KEY);
const router = express.Router();

router.post("/billing/checkout", requireMember, async (req, res) => {
  const checkout = await stripe.checkout.sessions.create({
    mode: "subscription",
    line_items: [{ price: process.env.STRIPE_PRICE_ID, quantity: 1 }],
    success_url: process.env.APP_URL + "/billing?paid=1",
    cancel_url: process.env.APP_URL + "/billing",
  });
  res.redirect(303, checkout.url);
});

module.exports = { router };
`

// invoicesRouteJS is src/routes/invoices.js.
const invoicesRouteJS = `const express = require("express");
const db = require("../db");
const { requireMember } = require("./auth");

const router = express.Router();

router.get("/api/invoices", requireMember, async (req, res) => {
  res.json({ items: await db.invoices(req.session.memberId) });
});

router.get("/api/invoices/:id", requireMember, async (req, res) => {
  const invoice = await db.invoice(req.params.id, req.session.memberId);
  if (!invoice) {
    return res.status(404).json({ error: "not found" });
  }
  res.json(invoice);
});

module.exports = { router };
`

// messagesRouteJS is src/routes/messages.js.
const messagesRouteJS = `const express = require("express");
const db = require("../db");
const { requireMember } = require("./auth");

const router = express.Router();

router.get("/api/messages", requireMember, async (req, res) => {
  res.json({ items: await db.messages(req.session.memberId) });
});

router.post("/api/messages", requireMember, async (req, res) => {
  const message = await db.addMessage(req.session.memberId, req.body.subject, req.body.body);
  res.status(201).json(message);
});

module.exports = { router };
`

// clientConfigJS is src/client/config.js: esbuild --define fills the
// values in from the build environment.
const clientConfigJS = `export const stripePublishableKey = process.env.STRIPE_PUBLISHABLE_KEY;
export const supabaseUrl = process.env.SUPABASE_URL;
export const supabaseAnonKey = process.env.SUPABASE_ANON_KEY;
`
