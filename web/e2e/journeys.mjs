// The journeys: each gets a fresh browser context (its own cookies and localStorage).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// Signs a citizen in through the page, reading the one-time code from /dev/outbox.
async function citizenSignIn(page, server, memberId, { send = 'Send me a code', verify = 'Sign in' } = {}) {
  await page.goto(`${server.url}/citizen`);
  await page.getByLabel(/Member ID|सदस्य आईडी/).fill(memberId);
  await page.getByRole('button', { name: send }).click();
  const codeBox = page.getByLabel(/One-time code|एक बार का कोड/);
  await codeBox.waitFor();
  const res = await page.request.get(`${server.url}/dev/outbox?member_id=${memberId}`);
  const { messages } = await res.json();
  const otp = messages.find((m) => m.template === 'otp_login');
  assert.ok(otp, `no one-time code in the outbox for ${memberId}`);
  const code = /\d{6}/.exec(otp.body)?.[0];
  assert.ok(code, `no code in "${otp.body}"`);
  await codeBox.fill(code);
  await page.getByRole('button', { name: verify, exact: true }).click();
}

// Waits for `expected`, failing at once with the page's error panel when one appears instead.
async function settle(page, expected) {
  const alert = page.getByRole('alert');
  await Promise.race([expected.waitFor(), alert.first().waitFor()]);
  if (await alert.count() > 0) throw new Error(`the page reports an error: ${await alert.first().innerText()}`);
}

function member(server, where) {
  const id = server.sql(
    `SELECT m.member_id FROM payment_instructions p JOIN members m ON m.member_idx = p.payee_member_idx
     WHERE ${where} AND m.phone IS NOT NULL AND m.phone != '' ORDER BY p.payee_member_idx LIMIT 1`);
  return id || null;
}

// A staff member's API calls from the test itself (bearer token; the browser is not involved).
async function apiAs(server, username) {
  const password = server.accounts.find((a) => a.username === username).password;
  const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST',
    body: JSON.stringify({ username, password }) });
  assert.equal(login.status, 200, `login ${username}`);
  const { token } = await login.json();
  return async (method, path, body) => {
    const r = await fetch(server.url + path, { method, body: body && JSON.stringify(body),
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
    const text = await r.text();
    assert.ok(r.ok, `${method} ${path} as ${username}: ${r.status} ${text}`);
    return JSON.parse(text);
  };
}

export const journeys = {
  // A citizen signs in with a code from the dev outbox, sees why they are not eligible for a
  // scheme, sees a payment (with the reason and next step when it failed), checks the family
  // record and asks for a correction, files a grievance and sees its reply date.
  async citizen_english({ page, server, checkA11y }) {
    const id = member(server, "p.status IN ('rejected', 'returned')") ?? member(server, "p.status = 'paid'");
    assert.ok(id, 'no paid citizen with a phone in the demo state');
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Your family, your schemes, your payments' }).waitFor();
    await checkA11y(page, 'home');
    await page.goto(`${server.url}/citizen`);
    await checkA11y(page, 'sign-in');
    await citizenSignIn(page, server, id);
    await page.getByRole('heading', { name: 'My schemes', level: 1 }).waitFor();
    const notEligible = page.locator('article.scheme.no').first();
    await notEligible.waitFor();
    assert.match(await notEligible.locator('.badge').innerText(), /Not eligible/);
    assert.ok(await notEligible.locator('.clauses li.unmet').count() > 0, 'no unmet clause shown');
    assert.match(await notEligible.locator('.clauses li.unmet').first().innerText(), /Not met/);
    await checkA11y(page, 'schemes');

    await page.getByRole('link', { name: 'My payments' }).click();
    await page.getByRole('heading', { name: 'My payments', level: 1 }).waitFor();
    const payment = page.locator('article.payment').first();
    await payment.waitFor();
    assert.match(await payment.innerText(), /₹\s?1,000\.00/);
    const failed = page.locator('article.payment[data-status=rejected], article.payment[data-status=returned]');
    if (await failed.count() > 0) {
      const text = await failed.first().innerText();
      assert.match(text, /What happened/);
      assert.match(text, /What to do/);
      assert.match(text, /X{4,}\d{4}/, 'the destination account is masked');
    }
    await checkA11y(page, 'payments');

    await page.getByRole('link', { name: 'My family' }).click();
    await page.getByRole('heading', { name: 'My family', level: 1 }).waitFor();
    await page.locator('article.card').first().waitFor();
    assert.match(await page.locator('main').innerText(), /XXXX-XXXX-\d{4}/, 'national IDs are masked');
    await checkA11y(page, 'family');
    const card = page.locator('article.card').first();
    await card.getByRole('button', { name: 'This is wrong' }).click();
    await card.getByLabel('Which detail is wrong?').selectOption('occupation');
    await card.getByLabel('Correct value').fill('cultivator');
    await card.getByLabel('Why is it wrong?').fill('I farm my own land');
    await checkA11y(page, 'family, correction form');
    await card.getByRole('button', { name: 'Send' }).click();
    await card.getByText('Your correction request has been sent').waitFor();

    await page.getByRole('link', { name: 'My grievances' }).click();
    await page.getByRole('heading', { name: 'My grievances', level: 1 }).waitFor();
    await page.getByLabel('What is it about?').selectOption('payment_not_received');
    await page.getByLabel('Tell us what happened').fill('My pension for this month did not arrive.');
    await page.getByRole('button', { name: 'Send' }).click();
    const filed = page.getByText('Your grievance is filed');
    await filed.waitFor();
    assert.match(await filed.innerText(), /GR-\d{4}-\d+-\d/);
    assert.match(await filed.innerText(), /Reply due by \d{1,2} [A-Z][a-z]{2} \d{4}/);
    await page.locator('article[data-ticket]').first().waitFor();
    assert.match(await page.locator('article[data-ticket] .deadline').first().innerText(), /\d{4}/);
    await checkA11y(page, 'grievances');

    // Its page: the history and the reply date; then an officer answers it (through the API:
    // moved to the district, not accepted), and the citizen rates the answer and appeals.
    const ticket = /GR-\d{4}-\d+-\d/.exec(await filed.innerText())[0];
    await page.getByRole('link', { name: `Details ${ticket}` }).click();
    await page.getByRole('heading', { name: 'What has happened' }).waitFor();
    assert.match(await page.locator('ol.history').innerText(), /Grievance filed/);
    await checkA11y(page, 'grievance');
    const officer = await apiAs(server, 'district.officer');
    await officer('POST', `/api/v1/grievances/${ticket}/reassign`, { level: 'district', reason: 'test: block officer away' });
    await officer('POST', `/api/v1/grievances/${ticket}/resolve`, { outcome: 'rejected', reason: 'The payment was made correctly.' });
    await page.reload();
    await page.getByRole('heading', { name: 'The answer: Not accepted' }).waitFor();
    await checkA11y(page, 'grievance (answered)');
    await page.getByLabel('Rating (1 poor – 5 very good)').selectOption('2');
    await page.getByRole('button', { name: 'Rate', exact: true }).click();
    await page.getByRole('status').getByText('Done.').waitFor();
    await page.getByLabel('Why do you appeal?').fill('The money never reached my account.');
    await page.getByRole('button', { name: 'Appeal', exact: true }).click();
    await page.locator('ol.history li', { hasText: /appeal/i }).first().waitFor();
  },

  // The same citizen journey in Hindi: the switch, the choice remembered across a reload,
  // Hindi headings and verdicts, Indian-format money.
  async citizen_hindi({ page, server, checkA11y }) {
    const id = member(server, "p.status = 'paid'");
    assert.ok(id, 'no paid citizen with a phone in the demo state');
    await page.goto(server.url);
    await page.getByRole('button', { name: /Read in Hindi/ }).click();
    await page.getByRole('heading', { name: 'आपका परिवार, आपकी योजनाएँ, आपके भुगतान' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'hi');
    await page.reload();
    await page.getByRole('heading', { name: 'आपका परिवार, आपकी योजनाएँ, आपके भुगतान' }).waitFor();
    await checkA11y(page, 'home (hi)');
    await citizenSignIn(page, server, id, { send: 'मुझे कोड भेजें', verify: 'साइन इन करें' });
    await page.getByRole('heading', { name: 'मेरी योजनाएँ', level: 1 }).waitFor();
    await page.locator('article.scheme').first().waitFor();
    const text = await page.locator('main').innerText();
    assert.match(text, /पात्र नहीं|आप पात्र हैं/);
    await checkA11y(page, 'schemes (hi)');
    await page.getByRole('link', { name: 'मेरे भुगतान' }).click();
    await page.getByRole('heading', { name: 'मेरे भुगतान', level: 1 }).waitFor();
    await page.locator('article.payment').first().waitFor();
    const payments = await page.locator('main').innerText();
    assert.match(payments, /राशि/);
    assert.match(payments, /₹\s?1,000\.00/);
    assert.match(payments, /भुगतान हो गया/);
    await checkA11y(page, 'payments (hi)');
  },

  // Failures are explained (what happened, what to do), never a blank page; the staff consoles
  // are not downloaded by citizen pages.
  async errors_and_split({ page, server, checkA11y }) {
    const scripts = [];
    page.on('request', (r) => { if (r.resourceType() === 'script') scripts.push(r.url()); });
    await page.goto(`${server.url}/no/such/page`);
    await page.getByRole('alert').getByText('There is no page at this address.').waitFor();
    await checkA11y(page, 'not found');
    const id = member(server, "p.status = 'paid'");
    await page.goto(`${server.url}/citizen`);
    await page.getByLabel('Member ID').fill(id);
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByLabel('One-time code').fill('000000');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /What to do/);
    await checkA11y(page, 'sign-in error');
    // A citizen page visited without a session sends the visitor to sign in.
    await page.goto(`${server.url}/citizen/payments`);
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    assert.ok(!scripts.some((u) => /\/staff-[^/]*\.js$/.test(u)), `staff chunk loaded: ${scripts}`);
  },

  // The payment chain through the consoles: an officer prepares a cycle, the state officer
  // approves it and makes the bank files, the bank downloads its file and uploads a status file
  // (one payment returned, one line naming no payment), sees the line-by-line report, and the
  // citizen then sees the returned payment with its reason and next step.
  async officer_bank_citizen_chain({ page, server, checkA11y }) {
    const password = (u) => server.accounts.find((a) => a.username === u).password;
    const staffSignIn = async (username) => {
      await page.goto(`${server.url}/staff`);
      await page.getByLabel('User name').fill(username);
      await page.getByLabel('Password').fill(password(username));
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    };
    const period = server.sql('SELECT period FROM cycles ORDER BY cycle_id LIMIT 1');
    assert.match(period, /^\d{4}-\d{2}$/);

    await page.goto(`${server.url}/staff`);
    await page.getByRole('heading', { name: 'Staff sign-in', level: 1 }).waitFor();
    await checkA11y(page, 'staff sign-in');
    await staffSignIn('scheme.officer');
    await page.getByRole('heading', { name: 'Payment cycles', level: 1 }).waitFor();
    await page.locator('tr[data-cycle]').first().waitFor();
    await checkA11y(page, 'cycles');
    await page.getByLabel('Scheme').selectOption('widow_pension');
    await page.getByLabel('Period (YYYY-MM)').fill(period);
    await page.getByRole('button', { name: 'Prepare' }).click();
    await page.waitForURL(/\/staff\/cycles\/\d+$/);
    const cyclePath = new URL(page.url()).pathname;
    assert.equal(await page.locator('[data-field=status]').innerText(), 'prepared');
    await checkA11y(page, 'cycle (prepared)');
    // The maker may not approve their own cycle: the refusal is explained.
    await page.getByRole('button', { name: 'Approve' }).click();
    assert.match(await page.getByRole('alert').innerText(), /What to do/);
    await page.getByRole('button', { name: 'Sign out' }).click();

    await staffSignIn('state.officer');
    await page.getByRole('heading', { name: 'Payment cycles', level: 1 }).waitFor();
    await page.goto(server.url + cyclePath);
    await page.getByRole('button', { name: 'Approve' }).click();
    await settle(page, page.locator('[data-field=status]', { hasText: 'approved' }));
    await page.getByLabel('File format').selectOption('csv');
    await page.getByRole('button', { name: 'Make bank files' }).click();
    await settle(page, page.locator('tr[data-state=sent]'));
    await checkA11y(page, 'cycle (exported)');
    await page.getByRole('button', { name: 'Sign out' }).click();

    const cycleId = cyclePath.split('/').pop();
    const row = server.sql(
      `SELECT p.instruction_id || '|' || m.member_id || '|' || p.bank FROM payment_instructions p
       JOIN members m ON m.member_idx = p.payee_member_idx
       WHERE p.cycle_id = ${cycleId} AND p.status = 'sent' AND p.bank = 'SBIN'
         AND m.phone IS NOT NULL AND m.phone != '' LIMIT 1`);
    assert.ok(row, 'no SBIN payment to a citizen with a phone in the new cycle');
    const [instructionId, memberId] = row.split('|');

    await staffSignIn('bank');
    await page.getByRole('heading', { name: 'Payment files', level: 1 }).waitFor();
    await page.locator('tr[data-batch]').first().waitFor();
    await checkA11y(page, 'bank files');
    const batch = server.sql(`SELECT batch_id FROM payment_instructions WHERE instruction_id = '${instructionId}'`);
    const link = page.locator(`tr[data-batch="${batch}"] a`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const body = readFileSync(await download.path(), 'utf8');
    assert.ok(body.includes(instructionId), 'the downloaded file holds the payment');
    assert.match(download.suggestedFilename(), /^SPODE-\d+-SBIN\.csv$/);
    const csv = `end_to_end_id,status,reason_code\r\n${instructionId},RTND,AC04\r\nNO-SUCH-PAYMENT,ACSC,\r\n`;
    await page.getByLabel('Status file (pain.002 XML or CSV)').setInputFiles(
      { name: 'status.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Upload' }).click();
    await settle(page, page.locator('#report'));
    assert.equal(await page.locator('[data-count=returned]').innerText(), '1');
    assert.match(await page.locator('.report-lines').innerText(), /line 3/);
    await checkA11y(page, 'bank status report');
    await page.getByRole('button', { name: 'Sign out' }).click();

    await citizenSignIn(page, server, memberId);
    await page.getByRole('heading', { name: 'My schemes', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'My payments' }).click();
    const returned = page.locator('article.payment[data-status=returned]');
    await returned.waitFor();
    const text = await returned.innerText();
    assert.match(text, /Returned/);
    assert.match(text, /What happened/);
    assert.match(text, /What to do/);
    await checkA11y(page, 'payments (returned)');
  },

  // An officer's change-request queue: a block officer's two requests (sent through the API)
  // are decided by the district officer in the console, one verified, one rejected with a note.
  async officer_change_requests({ page, server, checkA11y }) {
    const member = server.sql(
      `SELECT m.member_id FROM members m JOIN households h ON h.household_idx = m.household_idx
       WHERE h.block_code = '990101' AND h.status = 'active' AND m.relationship = 'head' LIMIT 2`).split('\n');
    assert.equal(member.length, 2);
    const block = await apiAs(server, 'block.officer');
    const a = await block('POST', '/api/v1/change-requests',
      { member_id: member[0], changes: { occupation: 'cultivator' }, reason: 'seen at a home visit' });
    const b = await block('POST', '/api/v1/change-requests',
      { member_id: member[1], changes: { occupation: 'retired' }, reason: 'says so' });
    await page.goto(`${server.url}/staff`);
    await page.getByLabel('User name').fill('district.officer');
    await page.getByLabel('Password').fill(server.accounts.find((x) => x.username === 'district.officer').password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('link', { name: 'Change requests' }).click();
    await page.getByRole('heading', { name: 'Change requests', level: 1 }).waitFor();
    await page.locator(`article[data-change="${a.id}"]`).waitFor();
    await checkA11y(page, 'change requests');
    await page.getByRole('button', { name: `Verify and apply #${a.id}` }).click();
    await page.locator(`article[data-change="${a.id}"]`).waitFor({ state: 'detached' });
    const card = page.locator(`article[data-change="${b.id}"]`);
    await card.getByLabel('Reason for rejecting (the citizen reads it)').fill('Pension records show no retirement.');
    await card.getByRole('button', { name: `Reject #${b.id}` }).click();
    await card.waitFor({ state: 'detached' });
    const district = await apiAs(server, 'district.officer');
    const applied = await district('GET', '/api/v1/change-requests?status=applied');
    const rejected = await district('GET', '/api/v1/change-requests?status=rejected');
    assert.ok(applied.change_requests.some((c) => c.id === a.id), 'the verified request is applied');
    const r = rejected.change_requests.find((c) => c.id === b.id);
    assert.equal(r?.decision_note, 'Pension records show no retirement.');
  },
};
