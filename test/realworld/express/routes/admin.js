// The admin area. Anyone who is not an admin (members and visitors) is sent
// to the admin sign-in page.
const express = require('express');
const passport = require('passport');
const db = require('../db');

function requireAdmin(req, res, next) {
  if (req.isAuthenticated() && req.user.role === 'admin') { return next(); }
  res.redirect('/admin/login');
}

const router = express.Router();

router.get('/login', function(req, res) {
  res.render('admin/login');
});

router.post('/login', passport.authenticate('local', {
  successRedirect: '/admin',
  failureRedirect: '/admin/login',
  failureMessage: true
}));

router.get('/', requireAdmin, function(req, res) {
  const stats = db.prepare(`SELECT
      (SELECT COUNT(*) FROM users) AS members,
      (SELECT COUNT(*) FROM users WHERE verified = 0) AS unverified,
      (SELECT COUNT(*) FROM invoices) AS invoices,
      (SELECT COALESCE(SUM(amount_cents), 0) FROM invoice_lines) AS billed`).get();
  const recent = db.prepare('SELECT email, name, created_at FROM users ORDER BY id DESC LIMIT 5').all();
  res.render('admin/index', { stats, recent });
});

router.get('/users', requireAdmin, function(req, res) {
  const users = db.prepare('SELECT id, email, name, role, verified, created_at FROM users ORDER BY id').all();
  res.render('admin/users', { users });
});

module.exports = router;
