/**
 * Push sheet edits to the sheet_poller `push` function so they reach Firestore in about a second.
 * Setup: examples/apps_script/README.md. Script properties: PUSH_URL, PUSH_SECRET (this shop's own
 * secret: `python -m shared.cli tenant push-secret TENANT_ID`), TENANT_ID.
 *
 * The request is "poll this tenant now": the function re-reads the sheet and writes only the rows
 * whose content changed. It is signed like this (the server checks it in constant time):
 *   X-Sheet-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(PUSH_SECRET, "<t>.<raw body>")>
 */

function onEditPush(e) {
  var props = PropertiesService.getScriptProperties();
  var url = props.getProperty('PUSH_URL');
  var secret = props.getProperty('PUSH_SECRET');
  var tenant = props.getProperty('TENANT_ID');
  if (!url || !secret || !tenant) {
    console.warn('onEditPush: set PUSH_URL, PUSH_SECRET and TENANT_ID in the script properties');
    return;
  }
  var rows = [];
  if (e && e.range) {
    for (var r = e.range.getRow(); r <= e.range.getLastRow() && rows.length < 1000; r++) rows.push(r);
  }
  var body = JSON.stringify({
    tenant: tenant,
    edited_rows: rows,
    event_id: Utilities.getUuid()  // two edits in the same second must not look like a replay
  });
  var timestamp = Math.floor(Date.now() / 1000);
  var mac = Utilities.computeHmacSha256Signature(timestamp + '.' + body, secret, Utilities.Charset.UTF_8);
  var hex = mac.map(function (b) { return ('0' + (b & 0xff).toString(16)).slice(-2); }).join('');
  var response = UrlFetchApp.fetch(url, {
    method: 'post',
    contentType: 'application/json',
    payload: body,
    headers: { 'X-Sheet-Signature': 't=' + timestamp + ',v1=' + hex },
    muteHttpExceptions: true
  });
  if (response.getResponseCode() !== 200) {
    // The scheduled poll (every minute) is the safety net; nothing is lost.
    console.warn('onEditPush: HTTP ' + response.getResponseCode() + ' ' + response.getContentText().slice(0, 200));
  }
}
