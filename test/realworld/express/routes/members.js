// Member pages: dashboard, invoices and the member's own account.
const express = require('express');
const db = require('../db');

// requireLogin sends visitors to the login page and, like
// connect-ensure-login, remembers the page they wanted in the session.
function requireLogin(req, res, next) {
  if (req.isAuthenticated()) { return next(); }
  if (req.method === 'GET') { req.session.returnTo = req.originalUrl; }
  res.redirect('/login');
}

const money = (cents) => '€' + (cents / 100).toFixed(2);

const router = express.Router();

router.get('/', function(req, res) {
  res.render('home');
});

router.get('/dashboard', requireLogin, function(req, res) {
  const summary = db.prepare(`SELECT COUNT(*) AS count,
      COALESCE(SUM(CASE WHEN status = 'due' THEN 1 ELSE 0 END), 0) AS due
    FROM invoices WHERE user_id = ?`).get(req.user.id);
  res.render('dashboard', { summary });
});

router.get('/invoices', requireLogin, function(req, res) {
  const invoices = db.prepare(`SELECT invoices.*, COALESCE(SUM(invoice_lines.amount_cents), 0) AS total
    FROM invoices LEFT JOIN invoice_lines ON invoice_lines.invoice_id = invoices.id
    WHERE invoices.user_id = ? GROUP BY invoices.id ORDER BY invoices.issued_on DESC`).all(req.user.id);
  res.render('invoices', { invoices, money });
});

router.get('/invoices/:id', requireLogin, function(req, res, next) {
  const invoice = db.prepare(`SELECT invoices.*, users.name AS member_name
    FROM invoices JOIN users ON users.id = invoices.user_id
    WHERE invoices.id = ?`).get(req.params.id);
  if (!invoice) { return next(); }
  const lines = db.prepare('SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY id').all(invoice.id);
  const total = lines.reduce((sum, line) => sum + line.amount_cents, 0);
  res.render('invoice', { invoice, lines, total, money });
});

router.get('/account', requireLogin, function(req, res) {
  res.render('account');
});

router.post('/account', requireLogin, function(req, res) {
  // Only the display name is taken from the form; role and email are not
  // the member's to change here.
  const name = typeof req.body.name === 'string' ? req.body.name.trim().slice(0, 80) : '';
  if (!name) {
    return res.status(400).render('account', { error: 'Enter a display name.' });
  }
  db.prepare('UPDATE users SET name = ? WHERE id = ?').run(name, req.user.id);
  req.session.messages = ['Your profile was updated.'];
  res.redirect('/account');
});

router.post('/account/delete', requireLogin, function(req, res, next) {
  const userId = req.user.id;
  req.logout(function(err) {
    if (err) { return next(err); }
    db.prepare('DELETE FROM users WHERE id = ?').run(userId);
    req.session.messages = ['Your account has been deleted.'];
    res.redirect('/');
  });
});

module.exports = router;
module.exports.requireLogin = requireLogin;
