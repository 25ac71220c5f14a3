// Password hashing with Node's built-in scrypt (salt:hash, both hex), and the
// portal's password policy.
const crypto = require('node:crypto');

const KEYLEN = 64;
const MIN_LENGTH = 8;

function hash(password, cb) {
  const salt = crypto.randomBytes(16);
  crypto.scrypt(password, salt, KEYLEN, function(err, derived) {
    if (err) { return cb(err); }
    cb(null, salt.toString('hex') + ':' + derived.toString('hex'));
  });
}

function verify(password, stored, cb) {
  const [salt, expected] = stored.split(':');
  crypto.scrypt(password, Buffer.from(salt, 'hex'), KEYLEN, function(err, derived) {
    if (err) { return cb(err); }
    cb(null, crypto.timingSafeEqual(derived, Buffer.from(expected, 'hex')));
  });
}

// policyError returns what is wrong with a new password, or null.
// The policy is a minimum length only, as many small portals have it.
function policyError(password) {
  if (typeof password !== 'string' || password.length < MIN_LENGTH) {
    return 'Use at least ' + MIN_LENGTH + ' characters for your password.';
  }
  if (password.length > 200) {
    return 'Use at most 200 characters for your password.';
  }
  return null;
}

// hashSync is for seeding at start, before the server listens.
function hashSync(password) {
  const salt = crypto.randomBytes(16);
  return salt.toString('hex') + ':' + crypto.scryptSync(password, salt, KEYLEN).toString('hex');
}

module.exports = { hash, verify, hashSync, policyError };
