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

// Signs out and waits until the app has forgotten the session: it clears its session storage
// only once the server has answered the logout, and a page loaded before that (page.goto)
// would still find the old session there.
async function signOut(page) {
  const button = page.getByRole('button', { name: 'Sign out' });
  await button.click();
  await button.waitFor({ state: 'detached' });
}

// Signs a staff member in through the staff page.
async function staffSignIn(page, server, username) {
  await page.goto(`${server.url}/staff`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(server.accounts.find((x) => x.username === username).password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
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
    await signOut(page);

    await staffSignIn('state.officer');
    await page.getByRole('heading', { name: 'Payment cycles', level: 1 }).waitFor();
    await page.goto(server.url + cyclePath);
    await page.getByRole('button', { name: 'Approve' }).click();
    await settle(page, page.locator('[data-field=status]', { hasText: 'approved' }));
    await page.getByLabel('File format').selectOption('csv');
    await page.getByRole('button', { name: 'Make bank files' }).click();
    await settle(page, page.locator('tr[data-state=sent]'));
    await checkA11y(page, 'cycle (exported)');
    await signOut(page);

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
    await signOut(page);

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
  // An operator at a service centre enrols a new family (receipt with the family ID and the fee,
  // printable), then finds a citizen, takes their one-time-code consent, sees the household,
  // submits a change request and files a grievance for them (each with a receipt).
  async operator_centre({ page, server, checkA11y }) {
    const village = server.sql(
      "SELECT village_code FROM households WHERE block_code = '990101' AND status = 'active' LIMIT 1");
    assert.match(village, /^990101\d{3}$/);
    await staffSignIn(page, server, 'operator');
    await page.getByRole('heading', { name: 'Find a citizen', level: 1 }).waitFor();
    await checkA11y(page, 'operator: find');

    await page.getByRole('link', { name: 'Enrol a family' }).click();
    await page.getByRole('heading', { name: 'Enrol a family', level: 1 }).waitFor();
    await page.getByLabel('Village code (9 digits)').fill(village);
    await page.getByLabel('Village name').fill('Test village');
    await page.getByLabel('Annual household income (₹)').fill('60000');
    await page.getByLabel('Social category').selectOption('SC');
    await page.getByLabel('Name 1').fill('Kamla Devi Testwati');
    await page.getByLabel('Date of birth 1').fill('1975-03-02');
    await page.getByLabel('Mobile number (optional) 1').fill('9876543210');
    await page.getByRole('button', { name: 'Add a member' }).click();
    await page.getByLabel('Name 2').fill('Ramesh Testwala');
    await page.getByLabel('Date of birth 2').fill('1972-08-15');
    await page.getByLabel('Sex 2').selectOption('M');
    await page.getByLabel('Relationship 2').selectOption('spouse');
    await page.getByLabel('Fee to charge (₹)').fill('10');
    await checkA11y(page, 'operator: enrol form');
    await page.getByRole('button', { name: 'Enrol the family' }).click();
    await settle(page, page.getByRole('heading', { name: 'Receipt: Family enrolment' }));
    assert.match(await page.locator('[data-field=reference]').innerText(), /^\d{10}$/);
    assert.equal(await page.locator('[data-field=outcome]').innerText(), 'Enrolled');
    assert.match(await page.locator('[data-field=fee]').innerText(), /₹\s?10\.00/);
    const family = await page.locator('[data-field=reference]').innerText();
    assert.equal(server.sql(`SELECT COUNT(*) FROM households WHERE family_id = '${family}'`), '1');
    await checkA11y(page, 'operator: enrolment receipt');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.getByRole('button', { name: 'Print the receipt' }).isVisible(), false,
      'the print button is not printed');
    assert.equal(await page.locator('nav .tabs-inline').first().isVisible(), false, 'the navigation is not printed');
    await page.emulateMedia({ media: 'screen' });
    // The same woman again, spelt differently, without a phone: held as a possible duplicate.
    await page.getByRole('link', { name: 'Enrol a family' }).click();
    await page.getByLabel('Village code (9 digits)').fill(village);
    await page.getByLabel('Annual household income (₹)').fill('60000');
    await page.getByLabel('Name 1').fill('Kamla Devee Testwati');
    await page.getByLabel('Date of birth 1').fill('1975-03-02');
    await page.getByRole('button', { name: 'Enrol the family' }).click();
    await settle(page, page.getByRole('heading', { name: 'Receipt: Family enrolment' }));
    assert.match(await page.locator('[data-field=outcome]').innerText(), /^Held for a check/);

    // A citizen with a phone: search, consent by the code from the dev outbox, household.
    const citizen = server.sql(
      `SELECT m.member_id FROM members m JOIN households h ON h.household_idx = m.household_idx
       WHERE h.status = 'active' AND m.status = 'active' AND m.phone IS NOT NULL AND m.phone != ''
       ORDER BY m.member_idx LIMIT 1`);
    await page.getByRole('link', { name: 'Find a citizen' }).click();
    await page.getByLabel('Search by').selectOption('member_id');
    await page.getByLabel('Number').fill(citizen);
    await page.getByRole('button', { name: 'Search' }).click();
    const card = page.locator(`article[data-member="${citizen}"]`);
    await settle(page, card);
    await card.getByRole('button', { name: /^Ask for consent/ }).click();
    await card.getByLabel('Fee to charge (₹)').fill('20');
    await checkA11y(page, 'operator: consent');
    await card.getByRole('button', { name: 'Send the consent code' }).click();
    await settle(page, card.getByLabel('Code the citizen reads out'));
    const { messages } = await (await page.request.get(`${server.url}/dev/outbox?member_id=${citizen}`)).json();
    const sms = messages.find((m) => m.template === 'otp_consent');
    assert.ok(sms, 'no consent code in the outbox');
    assert.match(sms.body, /20\.00/, 'the SMS names the fee');
    await card.getByLabel('Code the citizen reads out').fill(/(?<![\d-])\d{6}(?![\d-])/.exec(sms.body)[0]);
    assert.match(await card.getByLabel('Code the citizen reads out').inputValue(), /^\d{6}$/);
    await card.getByRole('button', { name: 'Confirm consent' }).click();
    await settle(page, page.locator('[data-consent]'));
    assert.match(await page.locator('[data-consent]').innerText(), /₹\s?20\.00/);
    await page.locator('tbody tr').first().waitFor();
    await checkA11y(page, 'operator: household');

    await page.getByLabel('Which detail').selectOption('occupation');
    await page.getByLabel('Correct value').fill('cultivator');
    await page.getByLabel('Reason', { exact: true }).fill('the citizen farms her own land');
    await page.getByRole('button', { name: 'Submit Submit a change request' }).click();
    await settle(page, page.getByRole('heading', { name: 'Receipt: Change request' }));
    assert.match(await page.locator('[data-field=reference]').innerText(), /^#\d+$/);
    assert.match(await page.locator('[data-field=fee]').innerText(), /₹\s?20\.00/);
    await page.getByRole('link', { name: 'Back to the household' }).click();

    await page.getByLabel('Category').selectOption('payment_not_received');
    await page.getByLabel("What happened (in the citizen's words)").fill('Her pension has not come for two months.');
    await page.getByRole('button', { name: 'Submit File a grievance for the citizen' }).click();
    await settle(page, page.getByRole('heading', { name: 'Receipt: Grievance filed' }));
    const ticket = await page.locator('[data-field=reference]').innerText();
    assert.match(ticket, /^GR-\d{4}-\d+-\d$/);
    assert.match(await page.locator('#receipt').innerText(), /Reply due by/);
    await checkA11y(page, 'operator: grievance receipt');
    const filed = await (await apiAs(server, 'state.officer'))('GET', `/api/v1/grievances/${ticket}`);
    assert.equal(filed.channel, 'operator');
    assert.equal(filed.assisted?.fee_paise, 2000);
    // The receipt in Hindi.
    await page.getByRole('button', { name: /Read in Hindi/ }).click();
    await page.getByRole('heading', { name: 'रसीद: शिकायत दर्ज' }).waitFor();
    assert.match(await page.locator('#receipt').innerText(), /लिया गया शुल्क/);
    await checkA11y(page, 'operator: receipt (hi)');
    // An application for a scheme under the same consent: the decision on the receipt.
    await page.getByRole('button', { name: /Read in English/ }).click();
    await page.getByRole('link', { name: 'Back to the household' }).click();
    // The consenting citizen (the first member of the household) is who the form starts with; a
    // scheme the household is not enrolled in nor waiting for.
    const scheme = server.sql(
      `SELECT s.scheme_id FROM schemes s, members m WHERE m.member_id = '${citizen}' AND s.status = 'active'
         AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.scheme_id = s.scheme_id AND e.household_idx = m.household_idx AND e.status <> 'exited')
         AND NOT EXISTS (SELECT 1 FROM enrolment_applications a WHERE a.scheme_id = s.scheme_id AND a.household_idx = m.household_idx AND a.status = 'pending')
       ORDER BY s.scheme_id LIMIT 1`);
    assert.ok(scheme, 'a scheme the citizen may apply for');
    await page.getByLabel('Scheme', { exact: true }).selectOption(scheme);
    await checkA11y(page, 'operator: household with the application form');
    await page.getByRole('button', { name: 'Apply Apply for a scheme for the citizen' }).click();
    await settle(page, page.getByRole('heading', { name: 'Receipt: Scheme application' }));
    assert.match(await page.locator('[data-field=reference]').innerText(), /^#\d+$/);
    assert.match(await page.locator('[data-field=outcome]').innerText(), /^(Accepted: enrolled|Meets the rules; waits for an officer|Not accepted)$/);
    assert.match(await page.locator('[data-field=fee]').innerText(), /₹\s?20\.00/);
    const applicationId = (await page.locator('[data-field=reference]').innerText()).slice(1);
    assert.equal(server.sql(`SELECT channel FROM enrolment_applications WHERE application_id = ${applicationId}`), 'operator');
  },
  // A citizen files a grievance in the portal; the district officer finds it in the queue by
  // deadline, sends an interim reply, moves it from the block to the district and resolves it
  // with a reason; the citizen's page shows the answer.
  async officer_grievances({ page, server, checkA11y }) {
    const id = server.sql(
      `SELECT m.member_id FROM members m JOIN households h ON h.household_idx = m.household_idx
       WHERE h.block_code LIKE '9901%' AND h.status = 'active' AND m.status = 'active'
       AND m.phone IS NOT NULL AND m.phone != '' ORDER BY m.member_idx DESC LIMIT 1`);
    assert.ok(id, 'no citizen with a phone in district 9901');
    await citizenSignIn(page, server, id);
    await page.getByRole('heading', { name: 'My schemes', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'My grievances' }).click();
    await page.getByLabel('What is it about?').selectOption('payment_not_received');
    await page.getByLabel('Tell us what happened').fill('No money for three months.');
    await page.getByRole('button', { name: 'Send' }).click();
    const filed = page.getByText('Your grievance is filed');
    await settle(page, filed);
    const ticket = /GR-\d{4}-\d+-\d/.exec(await filed.innerText())[0];

    await staffSignIn(page, server, 'district.officer');
    await page.getByRole('link', { name: 'Grievances' }).click();
    await page.getByRole('heading', { name: 'Grievances and re-entry cases', level: 1 }).waitFor();
    const row = page.locator(`tr[data-ticket="${ticket}"]`);
    await settle(page, row);
    const deadlines = await page.locator('tr[data-ticket] td:nth-child(5)').allInnerTexts();
    assert.ok(deadlines.length >= 1);
    await checkA11y(page, 'officer: grievances');
    await row.getByRole('link', { name: ticket }).click();
    await page.getByRole('heading', { name: ticket, level: 1 }).waitFor();
    assert.match(await page.locator('ol.history').innerText(), /filed/i);
    await checkA11y(page, 'officer: grievance');
    await page.getByLabel('Level').selectOption('district');
    await page.getByLabel('Reason', { exact: true }).fill('block officer on leave');
    await page.getByRole('button', { name: 'Move' }).click();
    await settle(page, page.getByRole('status').getByText('Done.'));
    await page.getByLabel('Reply (the citizen reads it)').fill('We are checking with the bank.');
    await page.getByRole('button', { name: 'Send' }).click();
    await settle(page, page.locator('ol.history li', { hasText: 'checking with the bank' }));
    await page.getByLabel('Outcome').selectOption('upheld');
    await page.getByLabel('Reason (the citizen reads it)').fill('The payment is sent again with the arrears.');
    await page.getByRole('button', { name: 'Resolve', exact: true }).click();
    await settle(page, page.locator('[data-field=answer]'));
    assert.match(await page.locator('[data-field=answer]').innerText(), /arrears/);
    await checkA11y(page, 'officer: grievance (resolved)');
    await page.getByRole('button', { name: /Read in Hindi/ }).click();
    await page.getByRole('heading', { name: 'अब तक क्या हुआ' }).waitFor();
    await checkA11y(page, 'officer: grievance (hi)');
    const officer = await apiAs(server, 'district.officer');
    const g = await officer('GET', `/api/v1/grievances/${ticket}`);
    assert.equal(g.resolution?.outcome, 'upheld');
    assert.equal(g.holder.level, 'district');
  },

  // The state officer compares a held record with the enrolled one side by side and decides.
  async officer_duplicates({ page, server, checkA11y }) {
    await staffSignIn(page, server, 'state.officer');
    await page.getByRole('link', { name: 'Possible duplicates' }).click();
    await page.getByRole('heading', { name: 'Possible duplicates', level: 1 }).waitFor();
    const card = page.locator('article[data-duplicate]').first();
    await settle(page, card);
    const dup = await card.getAttribute('data-duplicate');
    assert.equal(await card.locator('.side-by-side section').count(), 2, 'both records side by side');
    await checkA11y(page, 'officer: duplicates');
    await card.getByRole('button', { name: `Different people (enrol) #${dup}` }).click();
    await page.locator(`article[data-duplicate="${dup}"]`).waitFor({ state: 'detached' });
    await page.getByRole('status').getByText('Done.').waitFor();
    const officer = await apiAs(server, 'state.officer');
    const list = await officer('GET', '/api/v1/duplicates');
    const decided = list.duplicates.find((d) => String(d.id) === dup);
    assert.ok(!decided || decided.status !== 'pending', `duplicate ${dup} still pending`);
  },
  // The scheme officer tries a wider income limit for the widow pension: a broken YAML is
  // refused with its line and column, the fixed one shows counts, cost and who would gain.
  async officer_whatif({ page, server, checkA11y }) {
    const yaml = readFileSync(new URL('../../schemes/widow_pension.yaml', import.meta.url), 'utf8')
      .replace('version: 1', 'version: 2').replace('rupees(48000)', 'rupees(96000)');
    await staffSignIn(page, server, 'state.officer');
    await page.getByRole('link', { name: 'Scheme what-if' }).click();
    await page.getByRole('heading', { name: 'Scheme what-if', level: 1 }).waitFor();
    await checkA11y(page, 'officer: what-if');
    await page.getByLabel('Scheme (YAML)').fill('id: widow_pension\nname: [\n');
    await page.getByRole('button', { name: 'Run the what-if' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /:\d+:\d+/, 'the error names a line and column');
    await page.getByLabel('Scheme (YAML)').fill(yaml);
    await page.getByRole('button', { name: 'Run the what-if' }).click();
    await settle(page, page.locator('[data-field=eligible]'));
    const eligible = Number((await page.locator('[data-field=eligible]').innerText()).replace(/\D/g, ''));
    const gain = Number((await page.locator('[data-field=gain]').innerText()).replace(/\D/g, ''));
    assert.ok(eligible > 0, 'someone is eligible');
    assert.ok(gain >= 0);
    assert.match(await page.locator('[data-field=per-year]').innerText(), /₹/);
    assert.ok(await page.locator('table.bars').count() >= 3, 'the breakdowns are drawn');
    await checkA11y(page, 'officer: what-if result');
    // Two pasted versions: the wider limit against a narrower one loses nobody and gains some.
    await page.getByLabel('Or compare with another version (YAML, optional)').fill(
      yaml.replace('rupees(96000)', 'rupees(24000)'));
    await page.getByRole('button', { name: 'Run the what-if' }).click();
    await page.locator('[data-field=lose]').getByText(/^0$/).waitFor();
    assert.ok(Number((await page.locator('[data-field=gain]').innerText()).replace(/\D/g, '')) >= gain);
  },
  // A citizen applies for a scheme in the portal: the rules decide at once, and the decision is
  // shown with every condition (met or not); a second application, in Hindi, likewise.
  async citizen_applies({ page, server, checkA11y }) {
    const id = server.sql(
      `SELECT m.member_id FROM members m JOIN households h ON h.household_idx = m.household_idx
       WHERE h.status = 'active' AND m.status = 'active' AND m.phone IS NOT NULL AND m.phone != ''
         AND NOT EXISTS (SELECT 1 FROM enrolment_applications a WHERE a.household_idx = m.household_idx)
       ORDER BY m.member_idx DESC LIMIT 1`);
    assert.ok(id, 'no citizen with a phone to apply');
    await citizenSignIn(page, server, id);
    await page.getByRole('heading', { name: 'My schemes', level: 1 }).waitFor();
    const card = page.locator('article.scheme.no').first();
    await card.waitFor();
    const scheme = await card.getAttribute('data-scheme');
    const name = await card.locator('h2').innerText();
    await checkA11y(page, 'schemes with apply');
    assert.ok(name);
    await card.getByRole('button', { name: /^Apply for this scheme/ }).click();
    const decision = card.locator('[data-decision]');
    await settle(page, decision);
    assert.equal(await decision.getAttribute('data-decision'), 'rejected');
    const text = await decision.innerText();
    assert.match(text, /Not accepted: you do not meet every condition/);
    assert.match(text, /Application #\d+/);
    assert.ok(await decision.locator('.clauses li.unmet').count() > 0, 'the unmet condition is shown');
    await checkA11y(page, 'scheme application decided');
    const stored = server.sql(
      `SELECT a.status || '|' || a.channel FROM enrolment_applications a JOIN households h ON h.household_idx = a.household_idx
       JOIN members m ON m.household_idx = h.household_idx WHERE m.member_id = '${id}' AND a.scheme_id = '${scheme}'`);
    assert.equal(stored, 'rejected|self');

    await page.getByRole('button', { name: /Read in Hindi/ }).click();
    await page.getByRole('heading', { name: 'मेरी योजनाएँ', level: 1 }).waitFor();
    const next = page.locator('article.scheme.no:not(:has([data-decision]))').first();
    await next.waitFor();
    const other = page.locator(`article[data-scheme="${await next.getAttribute('data-scheme')}"]`);
    await other.getByRole('button', { name: /इस योजना के लिए आवेदन करें/ }).click();
    const second = other.locator('[data-decision]');
    await settle(page, second);
    assert.match(await second.innerText(), /आवेदन पर निर्णय/);
    assert.match(await second.innerText(), /स्वीकार नहीं/);
    await checkA11y(page, 'scheme application decided (hi)');
  },

  // The bank sees the payments of its own files it rejected or returned, with the reason and
  // the account masked; the state officer sees the cycle's files with their outcomes and the
  // returns of the area, and the enrolment proposals with their notices.
  async officer_bank_returns({ page, server, checkA11y }) {
    const cycle = server.sql("SELECT cycle_id FROM cycles WHERE scheme_id = 'old_age_pension' ORDER BY cycle_id LIMIT 1");
    const paid = server.sql(
      `SELECT instruction_id FROM payment_instructions WHERE cycle_id = ${cycle} AND bank = 'SBIN'
       AND status = 'paid' ORDER BY instruction_id DESC LIMIT 1`);
    assert.ok(paid, 'no paid SBIN payment in the demo cycle');
    // The bank returns one paid payment (through the API, as its status file would).
    const password = server.accounts.find((a) => a.username === 'bank').password;
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST',
      body: JSON.stringify({ username: 'bank', password }) });
    const { token } = await login.json();
    const up = await fetch(`${server.url}/api/v1/bank/status`, { method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' },
      body: `end_to_end_id,status,reason_code\n${paid},RTND,AC04\n` });
    assert.equal(up.status, 200, await up.text());
    const expected = Number(server.sql(
      `SELECT COUNT(*) FROM instruction_attempts t JOIN payment_batches b ON b.batch_id = t.batch_id
       WHERE b.bank = 'SBIN' AND t.outcome IN ('rejected', 'returned')`));

    await staffSignIn(page, server, 'bank');
    await page.getByRole('heading', { name: 'Payment files', level: 1 }).waitFor();
    const row = page.locator(`#returns tr[data-instruction="${paid}"]`);
    await settle(page, row);
    assert.equal(await page.locator('#returns tbody tr').count(), Math.min(expected, 500));
    const text = await row.innerText();
    assert.match(text, /AC04/);
    assert.match(text, /The bank account the payment was sent to is closed/);
    assert.match(text, /Returned/);
    assert.match(text, /SBIN\w* \/ X{8}\d{4}/, 'the account is masked');
    const account = server.sql(
      `SELECT a.account_last4 FROM payment_instructions i JOIN mapper_addresses a ON a.address_id = i.address_id
       WHERE i.instruction_id = '${paid}'`);
    assert.match(text, new RegExp(`X{8}${account}`));
    await checkA11y(page, 'bank returns');
    await signOut(page);

    await staffSignIn(page, server, 'state.officer');
    await page.getByRole('heading', { name: 'Payment cycles', level: 1 }).waitFor();
    await page.goto(`${server.url}/staff/cycles/${cycle}`);
    const returned = page.locator(`tr[data-instruction="${paid}"]`);
    await settle(page, returned);
    assert.match(await returned.innerText(), /The bank account the payment was sent to is closed/);
    assert.match(await returned.innerText(), /X{8}\d{4}/);
    const sbinReturned = Number(await page.locator('#cycle-files tr[data-bank=SBIN] [data-outcome=returned]').innerText());
    assert.ok(sbinReturned >= 1, 'the SBIN file counts the returned payment');
    await checkA11y(page, 'officer: cycle files and returns');
    await page.getByRole('button', { name: /Read in Hindi/ }).click();
    await page.locator(`tr[data-instruction="${paid}"]`, { hasText: 'बंद हो चुका है' }).waitFor();
    await page.getByRole('button', { name: /Read in English/ }).click();

    await page.getByRole('link', { name: 'Enrolment notices' }).click();
    await page.getByRole('heading', { name: 'Enrolment proposals and notices', level: 1 }).waitFor();
    await page.getByLabel('Scheme', { exact: true }).selectOption('old_age_pension');
    const enrolled = Number(server.sql(
      "SELECT COUNT(*) FROM eligibility_proposals WHERE scheme_id = 'old_age_pension' AND status = 'enrolled'"));
    const count = page.locator('[data-count=enrolled]');
    await settle(page, page.locator('#notices tr[data-proposal]').first());
    assert.equal(Number((await count.innerText()).replace(/\D/g, '')), enrolled);
    const first = await page.locator('#notices tr[data-status=enrolled]').first().innerText();
    assert.match(first, /\d{1,2} [A-Z][a-z]{2,3} \d{4}/, 'notice and enrolment dates are shown');
    assert.match(first, /SMS|no phone/);
    await checkA11y(page, 'officer: enrolment notices');
    await page.getByLabel('Show', { exact: true }).selectOption('withdrawn');
    await settle(page, page.locator('#notices tr[data-status=withdrawn], p:text("No proposals.")').first());
    assert.equal(await page.locator('#notices tr[data-status]:not([data-status=withdrawn])').count(), 0);
    await checkA11y(page, 'officer: enrolment notices (withdrawn)');
  },

  // Editing a scheme's rules with live checking: the version in force is loaded and checks
  // clean; a misspelt attribute is reported at its line and column as the officer types (no
  // button pressed); corrected, the check clears and the what-if runs on the edited text.
  async officer_scheme_live_check({ page, server, checkA11y }) {
    const good = readFileSync(new URL('../../schemes/widow_pension.yaml', import.meta.url), 'utf8')
      .replace('version: 1', 'version: 2');
    const bad = good.replace('household.income_annual', 'household.incom');
    const lines = bad.split('\n');
    const line = lines.findIndex((l) => l.includes('household.incom')) + 1;
    const column = lines[line - 1].indexOf('.incom') + 2;  // the error points at 'incom'
    await staffSignIn(page, server, 'state.officer');
    await page.getByRole('link', { name: 'Scheme what-if' }).click();
    await page.getByRole('heading', { name: 'Scheme what-if', level: 1 }).waitFor();
    const box = page.getByLabel('Scheme (YAML)');
    // Start from the version in force: it loads into the box and checks clean.
    await page.getByLabel('Start from the rules of').selectOption('widow_pension');
    await page.getByRole('button', { name: 'Load the version in force' }).click();
    await page.getByText(/Loaded version \d+: edit it below/).waitFor();
    assert.match(await box.inputValue(), /^id: widow_pension$/m);
    await page.locator('#wi-check[data-state=ok]').waitFor();
    await box.fill(bad);
    const diag = page.locator('#wi-check .diagnostics li').first();
    await diag.waitFor();
    assert.equal(await diag.getAttribute('data-line'), String(line));
    assert.equal(await diag.getAttribute('data-column'), String(column));
    assert.match(await diag.innerText(), new RegExp(`Line ${line}, column ${column}: clause income: .*income_annual`));
    assert.equal(await box.getAttribute('aria-invalid'), 'true');
    await checkA11y(page, 'officer: scheme check with errors');
    // Typing on: a YAML error moves the report to its own line.
    await box.press('End');
    await box.type('\nname: [');
    await page.locator('#wi-check[data-state=errors] .diagnostics li', { hasText: /Line \d+/ }).first().waitFor();
    await box.fill(good);
    await page.locator('#wi-check[data-state=ok]').waitFor();
    assert.match(await page.locator('#wi-check').innerText(), /No errors/);
    assert.equal(await box.getAttribute('aria-invalid'), null);
    await checkA11y(page, 'officer: scheme check clean');
    await page.getByRole('button', { name: 'Run the what-if' }).click();
    await settle(page, page.locator('[data-field=eligible]'));
    assert.ok(Number((await page.locator('[data-field=eligible]').innerText()).replace(/\D/g, '')) > 0);
  },
  // The state officer edits the widow pension in the scheme editor (applications now wait for an
  // officer's review; a higher income limit) and saves it as a new version: the page says the
  // scheme is active and in force at once, asks for the confirmation, shows the version saved.
  // Then applications for newly eligible widows wait for review: the officer who submitted one
  // may not decide it, the district officer enrols one and rejects another (a note required).
  async officer_scheme_version_and_review({ page, server, checkA11y }) {
    const edited = readFileSync(new URL('../../schemes/widow_pension.yaml', import.meta.url), 'utf8')
      .replace('rupees(48000)', 'rupees(100000000)')
      .replace('exclusions: [old_age_pension]', 'exclusions: [old_age_pension]\nofficer_review: true');
    const before = Number(server.sql("SELECT latest_version FROM schemes WHERE scheme_id = 'widow_pension'"));
    await staffSignIn(page, server, 'state.officer');
    await page.getByRole('link', { name: 'Scheme what-if' }).click();
    await page.getByRole('heading', { name: 'Scheme what-if', level: 1 }).waitFor();
    await page.getByLabel('Start from the rules of').selectOption('widow_pension');
    await page.getByRole('button', { name: 'Load the version in force' }).click();
    await page.locator('#wi-check[data-state=ok]').waitFor();
    const box = page.getByLabel('Scheme (YAML)');
    // A text with an error cannot be saved.
    await box.fill(edited.replace('household.income_annual', 'household.incom'));
    await page.locator('#wi-check[data-state=errors]').waitFor();
    assert.equal(await page.locator('#sv-save').count(), 0, 'no save button while the text has errors');
    await box.fill(edited);
    await page.locator('#wi-check[data-state=ok]').waitFor();
    const what = page.locator('#sv-what');
    assert.match(await what.innerText(), /is active \(version \d+ in force\).*in force at once/);
    const save = page.getByRole('button', { name: 'Save as new version' });
    assert.equal(await save.isDisabled(), true, 'saving an active scheme needs the confirmation');
    await checkA11y(page, 'officer: save a scheme version');
    await page.getByLabel(/I understand: the new version of this active scheme/).check();
    await save.click();
    const saved = page.locator('#sv-saved');
    await settle(page, saved);
    assert.equal(await saved.getAttribute('data-version'), String(before + 1));
    assert.match(await saved.innerText(), new RegExp(`Saved as version ${before + 1} of widow_pension\\. It is in force now\\.`));
    await checkA11y(page, 'officer: scheme version saved');
    const stored = await (await apiAs(server, 'state.officer'))('GET', '/api/v1/schemes/widow_pension/source');
    assert.equal(stored.version, before + 1);
    assert.equal(stored.source, edited);

    // Applications in the district officer's area, submitted by the state officer (through the
    // API) for widows the new limit makes eligible; the running server picks the version up
    // within a second.
    const district = server.accounts.find((a) => a.username === 'district.officer').scope;
    const candidates = server.sql(
      `SELECT m.member_id FROM members m JOIN households h ON h.household_idx = m.household_idx
       WHERE h.village_code LIKE '${district}%' AND m.status = 'active' AND h.status = 'active' AND m.member_idx NOT IN
       (SELECT beneficiary_idx FROM enrolments WHERE scheme_id = 'widow_pension' AND status <> 'exited')
       ORDER BY m.member_idx`).split('\n').filter(Boolean);
    const stateToken = await (async () => {
      const password = server.accounts.find((a) => a.username === 'state.officer').password;
      const r = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST',
        body: JSON.stringify({ username: 'state.officer', password }) });
      return (await r.json()).token;
    })();
    const pending = [];
    for (let attempt = 0; attempt < 20 && pending.length < 2; ++attempt) {
      for (const id of candidates) {
        if (pending.length >= 2) break;
        const r = await fetch(`${server.url}/api/v1/applications`, { method: 'POST',
          headers: { Authorization: `Bearer ${stateToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ scheme_id: 'widow_pension', member_id: id, lang: 'en' }) });
        const body = await r.json();
        if (r.status === 201 && body.status === 'pending') pending.push(body.application_id);
        // Rejected while the server still used the old version (at most a second): try again.
        if (r.status === 201 && body.status === 'rejected' && pending.length === 0 && attempt === 0) break;
      }
      if (pending.length < 2) await new Promise((resolve) => setTimeout(resolve, 300));
    }
    assert.equal(pending.length, 2, `no two widows in district ${district} became eligible (${candidates.length} candidates)`);

    // The state officer submitted them: the console refuses her decision with the reason.
    await page.getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('heading', { name: 'Applications to review', level: 1 }).waitFor();
    const own = page.locator(`article[data-application="${pending[0]}"]`);
    await settle(page, own);
    await own.getByRole('button', { name: `Enrol #${pending[0]}` }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /another officer must decide it/);

    // The district officer decides them.
    await signOut(page);
    await staffSignIn(page, server, 'district.officer');
    await page.getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('heading', { name: 'Applications to review', level: 1 }).waitFor();
    const first = page.locator(`article[data-application="${pending[0]}"]`);
    const second = page.locator(`article[data-application="${pending[1]}"]`);
    await settle(page, second);
    assert.ok(await first.locator('.clauses li.met').count() > 0, 'the rules\' explanation is shown');
    assert.match(await first.innerText(), /Submitted by user:state\.officer \(officer\)/);
    await checkA11y(page, 'officer: applications to review');
    // Rejecting needs a note.
    await second.getByRole('button', { name: `Reject #${pending[1]}` }).click();
    await second.getByRole('alert').getByText('Write a note saying why before rejecting.').waitFor();
    assert.equal(await second.getByLabel(/Note \(required to reject/).getAttribute('aria-invalid'), 'true');
    await checkA11y(page, 'officer: rejection without a note');
    await second.getByLabel(/Note \(required to reject/).fill('Income certificate does not match the registry');
    await second.getByRole('button', { name: `Reject #${pending[1]}` }).click();
    await page.getByRole('status').getByText(`Application ${pending[1]}: rejected.`).waitFor();
    await first.getByRole('button', { name: `Enrol #${pending[0]}` }).click();
    await page.getByRole('status').getByText(`Application ${pending[0]}: enrolled.`).waitFor();
    await first.waitFor({ state: 'detached' });
    assert.equal(server.sql(`SELECT status || '|' || decided_by FROM enrolment_applications WHERE application_id = ${pending[0]}`),
      'enrolled|user:district.officer');
    assert.equal(server.sql(`SELECT status || '|' || decision_note FROM enrolment_applications WHERE application_id = ${pending[1]}`),
      'rejected|Income certificate does not match the registry');
  },
  // A citizen allowed two partner apps (through the API); the portal lists them with purpose,
  // date and state, withdraws one (it stops at once), and reads the page in Hindi.
  async citizen_apps({ page, server, checkA11y }) {
    const id = member(server, "p.status = 'paid'");
    assert.ok(id, 'no paid citizen with a phone in the demo state');
    await citizenSignIn(page, server, id);
    await page.getByRole('heading', { name: 'My schemes', level: 1 }).waitFor();
    // The consents are granted with the citizen's own session (the same API the portal uses).
    for (const purpose of ['Scholarship application', 'Skills training enrolment']) {
      const r = await page.evaluate(async (p) => {
        const res = await fetch('/api/v1/me/consents', { method: 'POST', credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ client_id: 'developer', scope: 'registry.read', purpose: p, days: 30 }) });
        return { status: res.status, body: await res.json() };
      }, purpose);
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    await page.getByRole('link', { name: 'Apps I have allowed' }).click();
    await page.getByRole('heading', { name: 'Apps I have allowed', level: 1 }).waitFor();
    const cards = page.locator('article[data-consent]');
    await settle(page, cards.first());
    assert.equal(await cards.count(), 2);
    const scholarship = page.locator('article[data-consent]', { hasText: 'Scholarship application' });
    assert.match(await scholarship.innerText(), /Partner app \(demo\)[\s\S]*Allowed until[\s\S]*Active/);
    await checkA11y(page, 'citizen: apps allowed');
    await scholarship.getByRole('button', { name: 'Withdraw Partner app (demo)' }).click();
    await page.getByRole('status').getByText(/Withdrawn: Partner app \(demo\) can no longer read/).waitFor();
    await page.locator('article[data-consent][data-state=appWithdrawn]').waitFor();
    assert.equal(await page.locator('article[data-consent][data-state=appWithdrawn]').count(), 1);
    assert.equal(await page.locator('article[data-consent][data-state=appActive]').count(), 1);
    const listed = await page.evaluate(async () => (await fetch('/api/v1/me/consents')).json());
    const withdrawn = listed.consents.find((c) => c.purpose === 'Scholarship application');
    assert.equal(withdrawn.active, false);
    assert.ok(withdrawn.revoked_at, 'the API records the withdrawal');
    await checkA11y(page, 'citizen: an app withdrawn');
    await page.getByRole('button', { name: /Read in Hindi/ }).click();
    await page.getByRole('heading', { name: 'मेरी अनुमति वाले ऐप', level: 1 }).waitFor();
    // The list loads again in Hindi: wait for its Hindi text, not only for the heading or the
    // article (the English list's article matched before the reload had begun).
    await settle(page, page.locator('article[data-consent][data-state=appWithdrawn]')
      .getByText('वापस ली गई').first());
    assert.match(await page.locator('main').innerText(), /वापस ली गई/);
    await checkA11y(page, 'citizen: apps allowed (hi)');
  },
  // The administrator disables the block officer (who is then signed out and cannot sign in)
  // and enables the account again; the auditor sees the gate's decisions counted, with no
  // person in them; the partner app's account shows what it may do.
  async oversight_admin_auditor({ page, server, checkA11y }) {
    await staffSignIn(page, server, 'admin');
    await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
    const row = page.locator('tr[data-user="block.officer"]');
    await settle(page, row);
    await checkA11y(page, 'admin: accounts');
    assert.equal(await page.locator('tr[data-user="admin"]').getByRole('button').count(), 0,
      'no button to disable one\'s own account');
    await row.getByRole('button', { name: 'Disable block.officer' }).click();
    await row.getByRole('button', { name: 'Enable block.officer' }).waitFor();
    const password = server.accounts.find((a) => a.username === 'block.officer').password;
    const refused = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST',
      body: JSON.stringify({ username: 'block.officer', password }) });
    assert.equal(refused.status, 401, 'a disabled account cannot sign in');
    await row.getByRole('button', { name: 'Enable block.officer' }).click();
    await row.getByRole('button', { name: 'Disable block.officer' }).waitFor();
    await apiAs(server, 'block.officer');  // signs in again
    await signOut(page);

    // Some decisions to count: the state officer reads a household, the bank is refused one.
    const officer = await apiAs(server, 'state.officer');
    const family = server.sql("SELECT family_id FROM households WHERE status = 'active' LIMIT 1");
    await officer('GET', `/api/v1/households/${family}`);
    await staffSignIn(page, server, 'auditor');
    await page.getByRole('heading', { name: 'Access log in aggregate', level: 1 }).waitFor();
    const allowed = page.locator('dd[data-allowed]');
    await settle(page, allowed);
    assert.ok(Number((await allowed.innerText()).replace(/,/g, '')) > 0, 'decisions are counted');
    const main = await page.locator('main').innerText();
    assert.match(main, /household\.read/);
    assert.ok(!main.includes(family), 'no family ID on the auditor\'s page');
    await checkA11y(page, 'auditor: access log in aggregate');
    await page.getByLabel('Days').fill('30');
    await page.getByRole('button', { name: 'Show' }).click();
    await settle(page, allowed);
    await signOut(page);

    await staffSignIn(page, server, 'developer');
    await page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();
    assert.match(await page.locator('main').innerText(), /only while one of its members has allowed it/);
    await checkA11y(page, 'developer: account');
  },
};

