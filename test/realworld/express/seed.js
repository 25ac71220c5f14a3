// Seeds the members named in SEED_* (verified; the admin with the admin role)
// and a few invoices each. Running it again changes nothing already there.
const db = require('./db');
const passwords = require('./passwords');

const members = [
  {
    key: 'A', name: 'Ada Quinlan', role: 'member', invoices: [
      { date: '2026-09-01', status: 'paid', lines: [['Studio plan, September (Ada Quinlan)', 4900], ['Extra seat: Ada’s assistant', 1500]] },
      { date: '2026-10-01', status: 'paid', lines: [['Studio plan, October (Ada Quinlan)', 4900], ['Workshop: Portrait lighting with Ada', 12000]] },
      { date: '2026-11-01', status: 'due', lines: [['Studio plan, November (Ada Quinlan)', 4900]] }
    ]
  },
  {
    key: 'B', name: 'Boris Lindqvist', role: 'member', invoices: [
      { date: '2026-10-15', status: 'paid', lines: [['Starter plan, October (Boris Lindqvist)', 1900]] },
      { date: '2026-11-15', status: 'due', lines: [['Starter plan, November (Boris Lindqvist)', 1900], ['Print credits: 40 sheets for Boris', 800]] }
    ]
  },
  {
    key: 'ADMIN', name: 'Portal Admin', role: 'admin', invoices: [
      { date: '2026-11-01', status: 'paid', lines: [['Team plan, November (staff account)', 0]] },
      { date: '2026-11-20', status: 'paid', lines: [['Domain renewal (staff account)', 1200]] }
    ]
  }
];

module.exports = function seed(env) {
  const insertUser = db.prepare(`INSERT INTO users (email, name, hashed_password, role, verified)
    VALUES (?, ?, ?, ?, 1) ON CONFLICT(email) DO NOTHING`);
  const insertInvoice = db.prepare('INSERT INTO invoices (user_id, number, issued_on, status) VALUES (?, ?, ?, ?)');
  const insertLine = db.prepare('INSERT INTO invoice_lines (invoice_id, description, amount_cents) VALUES (?, ?, ?)');
  const byEmail = db.prepare('SELECT id FROM users WHERE email = ?');

  db.transaction(function() {
    for (const m of members) {
      const email = (env['SEED_' + m.key + '_EMAIL'] || '').trim().toLowerCase();
      const password = env['SEED_' + m.key + '_PASSWORD'];
      if (!email || !password) { continue; }
      if (insertUser.run(email, m.name, passwords.hashSync(password), m.role).changes === 0) { continue; }
      const userId = byEmail.get(email).id;
      for (const inv of m.invoices) {
        const invoiceId = insertInvoice.run(userId, 'pending', inv.date, inv.status).lastInsertRowid;
        db.prepare('UPDATE invoices SET number = ? WHERE id = ?').run('INV-' + String(invoiceId).padStart(4, '0'), invoiceId);
        for (const [description, cents] of inv.lines) { insertLine.run(invoiceId, description, cents); }
      }
    }
  })();
};
