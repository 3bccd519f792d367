// The shop's own script: a consent banner, a fake sign-in and checkout. Pointerprint only reads what
// `site` hands it (the visitor's consent as a promise, who they claim to be, where the status goes).
(function () {
  'use strict';
  var banner = document.getElementById('consent-banner');
  var consent = new Promise(function (resolve) {
    document.getElementById('consent-yes').addEventListener('click', function () { banner.hidden = true; resolve(true); });
    document.getElementById('consent-no').addEventListener('click', function () { banner.hidden = true; resolve(false); });
  });
  document.getElementById('login-form').addEventListener('submit', function (e) {
    e.preventDefault();
    document.getElementById('login-result').textContent = 'Signed in as ' + (document.getElementById('email').value || 'guest') + '.';
  });
  var total = 171;
  document.querySelectorAll('.qty').forEach(function (b) {
    b.addEventListener('click', function () {
      total += Number(b.parentElement.querySelector('.price').textContent.replace(/[^0-9.]/g, ''));
      document.getElementById('total').textContent = '€' + total.toFixed(2);
    });
  });
  document.getElementById('pay').addEventListener('click', function () {
    document.getElementById('pay-result').textContent = 'Thank you! (This is a demo shop: nothing was charged.)';
  });
  // Consent withdrawn: stop Pointerprint and delete what it keeps (in every tab of the site).
  document.getElementById('forget-me').addEventListener('click', function () {
    if (window.Pointerprint) window.Pointerprint.forget();
  });
  var params = new URLSearchParams(location.search);
  window.site = {
    consent: consent,
    visitor: function () { return params.get('user') || 'visitor'; },
    // On-page scoring against an exported profile, when the page is opened with ?profile=URL.
    scoring: function () { return params.get('profile') ? { profileUrl: params.get('profile') } : undefined; },
    showStatus: function (s) {
      var t = 'security check: ' + s.state;
      if (s.lastScore) t += ' · match ' + s.lastScore.fusedScore.toFixed(2) + ' (' + s.lastScore.decision + ')';
      // A group model's profile (e.g. humans vs bots): the group most windows were decided as.
      if (s.lastGroupScore) t += ' · group ' + (s.lastGroupScore.leadingGroup || 'tie') + ' (' + s.lastGroupScore.windowsSeen + ' windows)';
      if (s.message) t += ' · ' + s.message;
      document.getElementById('pp-status').textContent = t;
    },
  };
})();
