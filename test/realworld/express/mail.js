// Outgoing mail through the SMTP relay named in the environment.
const nodemailer = require('nodemailer');

const publicURL = (process.env.PUBLIC_URL || 'http://localhost:3000').replace(/\/$/, '');
const from = process.env.MAIL_FROM || 'Express Portal <no-reply@' + new URL(publicURL).hostname + '>';

const transport = nodemailer.createTransport({
  host: process.env.SMTP_HOST || '127.0.0.1',
  port: Number(process.env.SMTP_PORT || 1025),
  secure: false
});

// send delivers in the background: the page answers the same way whether or
// not a mail went out, and as fast.
function send(to, subject, text) {
  transport.sendMail({ from, to, subject, text }).catch(function(err) {
    console.error('mail to %s failed: %s', to, err.message);
  });
}

function link(path, token) {
  return publicURL + path + '?token=' + encodeURIComponent(token);
}

module.exports = { send, link, publicURL };
