// A members portal on Express 5: sessions in SQLite, Passport's local
// strategy, CSRF tokens on every form, EJS views.
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const express = require('express');
const helmet = require('helmet');
const session = require('express-session');
const Database = require('better-sqlite3');
const SqliteStore = require('better-sqlite3-session-store')(session);
const csrf = require('csurf');
const passport = require('passport');

const dataDir = process.env.DATA_DIR || path.join(__dirname, 'var');
fs.mkdirSync(dataDir, { recursive: true });
process.env.DATA_DIR = dataDir;

require('./seed')(process.env);

// The session secret comes from the environment; without one, a random one
// is made once and kept beside the data.
function sessionSecret() {
  if (process.env.SESSION_SECRET) { return process.env.SESSION_SECRET; }
  const file = path.join(dataDir, 'session-secret');
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8');
}

const app = express();

app.set('views', path.join(__dirname, 'views'));
app.set('view engine', 'ejs');

app.use(helmet());
app.use(function(req, res, next) {
  // What every view reads, also on error pages rendered before the session.
  res.locals.messages = [];
  res.locals.user = null;
  res.locals.csrfToken = '';
  next();
});
app.use(express.static(path.join(__dirname, 'public')));
app.use(express.urlencoded({ extended: false }));
app.use(session({
  secret: sessionSecret(),
  resave: false,
  saveUninitialized: false,
  store: new SqliteStore({ client: new Database(path.join(dataDir, 'sessions.db')) })
}));
app.use(csrf());
app.use(passport.authenticate('session'));
app.use(function(req, res, next) {
  const msgs = req.session.messages || [];
  res.locals.messages = msgs;
  res.locals.hasMessages = !!msgs.length;
  req.session.messages = [];
  next();
});
app.use(function(req, res, next) {
  res.locals.csrfToken = req.csrfToken();
  res.locals.user = req.user || null;
  next();
});

app.use('/', require('./routes/members'));
app.use('/', require('./routes/auth'));
app.use('/admin', require('./routes/admin'));

app.use(function(req, res) {
  res.status(404).render('error', { title: 'Page not found', detail: 'There is nothing at this address.' });
});

app.use(function(err, req, res, next) {
  if (err.code === 'EBADCSRFTOKEN') {
    return res.status(403).render('error', { title: 'This form has expired', detail: 'Go back, reload the page and try again.' });
  }
  console.error(err);
  res.status(err.status || 500).render('error', { title: 'Something went wrong', detail: 'Please try again in a moment.' });
});

const port = Number(process.env.PORT || 3000);
app.listen(port, '127.0.0.1', function(err) {
  if (err) { throw err; }
  console.log('READY');
});
