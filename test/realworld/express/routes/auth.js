// Sign-up with a verification mail, sign-in and sign-out with Passport's local
// strategy (as in Passport's "Username & Password" tutorial), and password
// reset by mail.
const express = require('express');
const passport = require('passport');
const LocalStrategy = require('passport-local');
const db = require('../db');
const passwords = require('../passwords');
const tokens = require('../tokens');
const mail = require('../mail');

const HOUR = 60 * 60 * 1000;
const RESET_RESEND_MS = 60 * 1000;

const normalizeEmail = (value) => (typeof value === 'string' ? value.trim().toLowerCase() : '');
const looksLikeEmail = (value) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) && value.length <= 254;

passport.use(new LocalStrategy({ usernameField: 'email' }, function verify(email, password, cb) {
  const row = db.prepare('SELECT * FROM users WHERE email = ?').get(normalizeEmail(email));
  if (!row) { return cb(null, false, { message: 'Incorrect email or password.' }); }
  passwords.verify(password, row.hashed_password, function(err, ok) {
    if (err) { return cb(err); }
    if (!ok) { return cb(null, false, { message: 'Incorrect email or password.' }); }
    if (!row.verified) {
      return cb(null, false, { message: 'Please confirm your email address first: open the link we mailed you.' });
    }
    return cb(null, row);
  });
}));

passport.serializeUser(function(user, cb) {
  process.nextTick(function() { cb(null, { id: user.id }); });
});

passport.deserializeUser(function(ref, cb) {
  // Read the member on every request: a deleted account or a changed role
  // takes effect at once.
  const row = db.prepare('SELECT id, email, name, role FROM users WHERE id = ?').get(ref.id);
  process.nextTick(function() { cb(null, row || false); });
});

// safeReturnTo accepts a path on this site only ("/invoices/2"), never
// "//host", "/\host" or an absolute URL.
function safeReturnTo(value) {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return null;
  }
  const base = 'http://portal.invalid';
  let url;
  try { url = new URL(value, base); } catch { return null; }
  if (url.origin !== base) { return null; }
  return url.pathname + url.search + url.hash;
}

const router = express.Router();

router.get('/login', function(req, res) {
  res.render('login', { returnTo: safeReturnTo(req.query.returnTo) || '' });
});

router.post('/login', function(req, res, next) {
  const returnTo = safeReturnTo(req.body.returnTo);
  if (returnTo) { req.session.returnTo = returnTo; }
  next();
}, passport.authenticate('local', {
  successReturnToOrRedirect: '/dashboard',
  failureRedirect: '/login',
  failureMessage: true,
  keepSessionInfo: true
}));

router.post('/logout', function(req, res, next) {
  req.logout(function(err) {
    if (err) { return next(err); }
    res.redirect('/');
  });
});

router.get('/signup', function(req, res) {
  res.render('signup', { values: {}, error: null });
});

router.post('/signup', function(req, res, next) {
  const email = normalizeEmail(req.body.email);
  const name = (typeof req.body.name === 'string' ? req.body.name.trim() : '').slice(0, 80);
  const password = req.body.password;
  const values = { email, name };
  if (!looksLikeEmail(email)) {
    return res.status(400).render('signup', { values, error: 'Enter a valid email address.' });
  }
  const policyError = passwords.policyError(password);
  if (policyError) {
    return res.status(400).render('signup', { values, error: policyError });
  }

  const existing = db.prepare('SELECT id FROM users WHERE email = ?').get(email);
  if (existing) {
    // Say nothing on the page: the owner of the address hears about it.
    mail.send(email, 'You already have an account',
      'Someone (hopefully you) tried to sign up with this address, but you already have an account.\n\n' +
      'Sign in: ' + mail.publicURL + '/login\n' +
      'Forgot your password? ' + mail.publicURL + '/forgot\n');
    return res.render('check-email', { email });
  }

  passwords.hash(password, function(err, hashed) {
    if (err) { return next(err); }
    let userId;
    try {
      userId = db.prepare('INSERT INTO users (email, name, hashed_password) VALUES (?, ?, ?)')
        .run(email, name || email.split('@')[0], hashed).lastInsertRowid;
    } catch (e) {
      if (e.code !== 'SQLITE_CONSTRAINT_UNIQUE') { return next(e); }
      return res.render('check-email', { email });
    }
    const token = tokens.issue(userId, 'verify', 24 * HOUR);
    mail.send(email, 'Confirm your email address',
      'Welcome! Confirm your email address to finish signing up:\n\n' +
      mail.link('/verify-email', token) + '\n\nThe link works for 24 hours.\n');
    res.render('check-email', { email });
  });
});

// The mailed link opens a page with a button: mail scanners that fetch
// links do not confirm anything by doing so.
router.get('/verify-email', function(req, res) {
  const user = tokens.find(req.query.token, 'verify');
  if (!user) { return res.status(400).render('link-invalid'); }
  res.render('confirm-email', { token: req.query.token, email: user.email });
});

router.post('/verify-email', function(req, res) {
  const user = tokens.find(req.body.token, 'verify');
  if (!user) { return res.status(400).render('link-invalid'); }
  db.prepare('UPDATE users SET verified = 1 WHERE id = ?').run(user.id);
  tokens.consume(user.id, 'verify');
  req.session.messages = ['Your email address is confirmed. You can sign in now.'];
  res.redirect('/login');
});

// lastResetRequest remembers, per submitted address, when a reset was last
// asked for, so one address cannot be flooded with mail.
const lastResetRequest = new Map();

router.get('/forgot', function(req, res) {
  res.render('forgot', { notice: null });
});

router.post('/forgot', function(req, res) {
  const email = normalizeEmail(req.body.email);
  const now = Date.now();
  const last = lastResetRequest.get(email);
  if (last && now - last < RESET_RESEND_MS) {
    return res.render('forgot', { notice: 'We already sent a link to this address; try again in a minute.' });
  }
  lastResetRequest.set(email, now);
  const user = looksLikeEmail(email) && db.prepare('SELECT id, email FROM users WHERE email = ?').get(email);
  if (user) {
    const token = tokens.issue(user.id, 'reset', HOUR);
    mail.send(user.email, 'Reset your password',
      'To choose a new password, open this link:\n\n' + mail.link('/reset', token) +
      '\n\nThe link works once, for one hour. If you did not ask for it, ignore this mail.\n');
  }
  res.render('forgot', { notice: 'If an account exists for that address, we sent a link.' });
});

router.get('/reset', function(req, res) {
  if (!tokens.find(req.query.token, 'reset')) { return res.status(400).render('link-invalid'); }
  res.render('reset', { token: req.query.token, error: null });
});

router.post('/reset', function(req, res, next) {
  const user = tokens.find(req.body.token, 'reset');
  if (!user) { return res.status(400).render('link-invalid'); }
  const policyError = passwords.policyError(req.body.password);
  if (policyError) { return res.status(400).render('reset', { token: req.body.token, error: policyError }); }
  passwords.hash(req.body.password, function(err, hashed) {
    if (err) { return next(err); }
    db.prepare('UPDATE users SET hashed_password = ? WHERE id = ?').run(hashed, user.id);
    tokens.consume(user.id, 'reset');
    req.session.messages = ['Your password has been changed. Sign in with the new one.'];
    res.redirect('/login');
  });
});

module.exports = router;
