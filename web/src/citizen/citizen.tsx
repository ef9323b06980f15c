// The citizen portal: sign in with member ID + one-time code, then my family, my schemes, my
// payments, my grievances and the partner apps I have allowed. Mobile first; every string in
// English and Hindi.
import { useState } from 'preact/hooks';
import { api, type ApplicationDecision, type Clause, type Household, type Member, type Payment } from '../api';
import { formatDate, formatMoney, formatNumber, formatPeriod, getLang, t, tKey, useLang,
         type Key } from '../i18n';
import { linkTo, navigate } from '../router';
import { ErrorPanel, Show, useLoad } from '../ui';

const sessionKey = 'spode.citizen';  // the member ID signed in (not a secret; the cookie is)

function signedInAs(): string | null {
  try {
    return sessionStorage.getItem(sessionKey);
  } catch {
    return null;
  }
}

export function CitizenApp({ path }: { path: string }) {
  useLang();
  const member = signedInAs();
  if (!member || path === '/citizen' || path === '/citizen/sign-in') {
    return <SignIn />;
  }
  const pages: [string, Key][] = [
    ['/citizen/schemes', 'navSchemes'], ['/citizen/payments', 'navPayments'],
    ['/citizen/family', 'navFamily'], ['/citizen/grievances', 'navGrievances'],
    ['/citizen/apps', 'navApps'],
  ];
  let page;
  if (path === '/citizen/family') page = <Family />;
  else if (path === '/citizen/payments') page = <Payments />;
  else if (path === '/citizen/grievances') page = <Grievances />;
  else if (path === '/citizen/apps') page = <Apps />;
  else if (path.startsWith('/citizen/grievances/')) {
    page = <GrievanceView ticket={decodeURIComponent(path.slice('/citizen/grievances/'.length))} />;
  }
  else page = <Schemes />;
  const signOut = async () => {
    try {
      await api.logout();
    } catch {
      /* signed out locally either way */
    }
    sessionStorage.removeItem(sessionKey);
    navigate('/citizen');
  };
  return (
    <>
      <nav class="tabs" aria-label={t('citizenPortal')}>
        <ul>
          {pages.map(([href, key]) => (
            <li key={href}>
              <a href={href} onClick={linkTo}
                 aria-current={path === href || (href === '/citizen/schemes' && !pages.some(([h]) => path.startsWith(h))) ? 'page' : undefined}>
                {t(key)}
              </a>
            </li>
          ))}
        </ul>
        <button type="button" class="link" onClick={signOut}>{t('signOut')}</button>
      </nav>
      {page}
    </>
  );
}

function SignIn() {
  useLang();
  const [memberId, setMemberId] = useState('');
  const [code, setCode] = useState('');
  const [step, setStep] = useState<'member' | 'code'>('member');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const send = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.requestCode(memberId.trim());
      setStep('code');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const verify = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.verifyCode(memberId.trim(), code.trim());
      sessionStorage.setItem(sessionKey, memberId.trim());
      navigate('/citizen/schemes');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="narrow">
      <h1>{t('signIn')}</h1>
      {error !== null && <ErrorPanel error={error} />}
      {step === 'member' ? (
        <form onSubmit={send}>
          <label for="member-id">{t('memberId')}</label>
          <input id="member-id" name="member_id" inputMode="numeric" autoComplete="username"
                 required pattern="[0-9 ]{6,20}" aria-describedby="member-id-help"
                 value={memberId} onInput={(e) => setMemberId(e.currentTarget.value)} />
          <p id="member-id-help" class="help">{t('memberIdHelp')}</p>
          <button type="submit" disabled={busy}>{t('sendCode')}</button>
        </form>
      ) : (
        <form onSubmit={verify}>
          <p role="status">{t('codeSent')}</p>
          <label for="otp">{t('code')}</label>
          <input id="otp" name="code" inputMode="numeric" autoComplete="one-time-code" required
                 pattern="[0-9]{4,8}" aria-describedby="otp-help"
                 value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          <p id="otp-help" class="help">{t('codeHelp')}</p>
          <button type="submit" disabled={busy}>{t('verify')}</button>{' '}
          <button type="button" class="link" onClick={() => { setStep('member'); setCode(''); }}>
            {t('changeMember')}
          </button>
        </form>
      )}
    </section>
  );
}

function show(value: unknown): string {
  if (value === null || value === undefined) return t('none');
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return getLang() === 'hi' ? (value ? 'हाँ' : 'नहीं') : (value ? 'Yes' : 'No');
  return String(value).replace(/_/g, ' ');
}

function Family() {
  const [loaded, retry] = useLoad(() => api.me());
  return (
    <section>
      <h1>{t('familyTitle')}</h1>
      <Show loaded={loaded} retry={retry}>{(h: Household) => (
        <>
          <dl class="facts">
            <dt>{t('familyId')}</dt><dd>{h.family_id}</dd>
            <dt>{t('address')}</dt>
            <dd>{[h.address.village_name, h.address.block_name, h.address.district_name].filter(Boolean).join(', ')}</dd>
          </dl>
          <h2>{t('household')}</h2>
          <dl class="facts">
            {Object.entries(h.attributes).map(([k, v]) => (
              <><dt key={`k${k}`}>{k.replace(/_/g, ' ')}</dt><dd key={`v${k}`}>{show(v)}</dd></>
            ))}
          </dl>
          {h.members.map((m) => <MemberCard key={m.member_id} member={m} />)}
        </>
      )}</Show>
    </section>
  );
}

function MemberCard({ member: m }: { member: Member }) {
  const [open, setOpen] = useState(false);
  const lang = useLang();
  const prov = m.provenance;
  const id = `m-${m.member_id}`;
  return (
    <article class="card" aria-labelledby={id}>
      <h2 id={id}>{lang === 'hi' && m.name_local ? m.name_local : m.name}</h2>
      <dl class="facts">
        <dt>{t('memberId')}</dt><dd>{m.member_id}</dd>
        <dt>{t('relationship')}</dt><dd>{show(m.relationship)}</dd>
        <dt>{t('born')}</dt><dd>{formatDate(m.dob)}</dd>
        <dt>{t('nationalId')}</dt><dd>{m.national_id ?? t('none')}</dd>
        <dt>{t('phone')}</dt><dd>{m.phone ?? t('none')}</dd>
        <dt>{t('bank')}</dt><dd>{m.bank_account ? `${m.bank_account.ifsc} / ${m.bank_account.account}` : t('none')}</dd>
        {Object.entries(m.attributes).map(([k, v]) => {
          const p = m.attribute_provenance[k];
          return (
            <><dt key={`k${k}`}>{k.replace(/_/g, ' ')}</dt>
              <dd key={`v${k}`}>{show(v)}{p?.source && <span class="source"> ({t('source')}: {p.source})</span>}</dd></>
          );
        })}
      </dl>
      {prov && (
        <p class="muted">
          {t('source')}: {prov.source} · {prov.channel} · {t('verifiedBy')}: {show(prov.verification)}
          {prov.as_of ? ` · ${t('asOf')} ${formatDate(prov.as_of)}` : ''}
        </p>
      )}
      {open ? <ChangeForm member={m} onDone={() => setOpen(false)} />
        : <button type="button" class="secondary" onClick={() => setOpen(true)}>{t('thisIsWrong')}</button>}
    </article>
  );
}

function ChangeForm({ member: m, onDone }: { member: Member; onDone: () => void }) {
  useLang();
  const fields = Object.keys(m.attributes);
  const [field, setField] = useState(fields[0] ?? '');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState(false);
  const base = `cr-${m.member_id}`;
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const old = m.attributes[field];
    let typed: unknown = value.trim();
    if (typeof old === 'number' && typed !== '' && !Number.isNaN(Number(typed))) typed = Number(typed);
    if (typeof old === 'boolean') typed = /^(true|yes|हाँ|1)$/i.test(value.trim());
    try {
      await api.changeRequest({ member_id: m.member_id, changes: { [field]: typed }, reason });
      setSent(true);
    } catch (err) {
      setError(err);
    }
  };
  if (sent) {
    return <p role="status" class="ok">{t('changeSent')} <button type="button" class="link" onClick={onDone}>{t('cancel')}</button></p>;
  }
  return (
    <form onSubmit={submit} class="inline-form">
      {error !== null && <ErrorPanel error={error} />}
      <label for={`${base}-field`}>{t('whichDetail')}</label>
      <select id={`${base}-field`} value={field} onChange={(e) => setField(e.currentTarget.value)}>
        {fields.map((f) => <option key={f} value={f}>{f.replace(/_/g, ' ')}</option>)}
      </select>
      <label for={`${base}-value`}>{t('correctValue')}</label>
      <input id={`${base}-value`} required value={value} onInput={(e) => setValue(e.currentTarget.value)} />
      <label for={`${base}-reason`}>{t('whyWrong')}</label>
      <textarea id={`${base}-reason`} required rows={2} value={reason}
                onInput={(e) => setReason(e.currentTarget.value)} />
      <div class="actions">
        <button type="submit">{t('send')}</button>
        <button type="button" class="link" onClick={onDone}>{t('cancel')}</button>
      </div>
    </form>
  );
}

function Schemes() {
  const [loaded, retry] = useLoad(async (lang) => {
    const [mine, all] = await Promise.all([api.mySchemes(lang), api.schemes()]);
    const names = new Map(all.schemes.map((s) => [s.id, s.name]));
    return { mine, names };
  });
  const lang = useLang();
  const [decisions, setDecisions] = useState<Record<string, ApplicationDecision>>({});
  return (
    <section>
      <h1>{t('schemesTitle')}</h1>
      <p>{t('schemesIntro')}</p>
      <Show loaded={loaded} retry={retry}>{({ mine, names }) => (
        <ul class="plain">
          {[...mine.schemes].sort((a, b) => Number(b.eligible) - Number(a.eligible)).map((s) => {
            const name = names.get(s.scheme)?.[lang] ?? s.name;
            const id = `s-${s.scheme}`;
            return (
              <li key={s.scheme}>
                <article class={`card scheme ${s.eligible ? 'yes' : 'no'}`} aria-labelledby={id}
                         data-scheme={s.scheme}>
                  <h2 id={id}>{name}</h2>
                  <p class={`badge ${s.eligible ? 'yes' : 'no'}`}>
                    {s.enrolled ? t('enrolled') : s.eligible ? t('eligible') : t('notEligible')}
                    {s.eligible && s.amount_paise ? ` · ${formatMoney(s.amount_paise)}` : ''}
                  </p>
                  <h3>{t('why')}</h3>
                  <Clauses clauses={s.clauses} />
                  <p class="muted">{t('checkedOn')} {formatDate(s.evaluation_date)}</p>
                  {!s.enrolled && <Apply scheme={s.scheme} name={name} decision={decisions[s.scheme]}
                                         onDecided={(d) => setDecisions({ ...decisions, [s.scheme]: d })} />}
                </article>
              </li>
            );
          })}
        </ul>
      )}</Show>
    </section>
  );
}

function Clauses({ clauses }: { clauses: Clause[] }) {
  return (
    <ul class="clauses">
      {clauses.map((c) => (
        <li key={c.id} class={c.met ? 'met' : 'unmet'}>
          <span class="mark" aria-hidden="true">{c.met ? '✓' : '✗'}</span>
          <span class="visually-hidden">{c.met ? t('met') : t('notMet')}: </span>
          {c.explanation}
        </li>
      ))}
    </ul>
  );
}

// Applying for a scheme (POST /api/v1/applications): the rules decide at once; the decision is
// shown with every condition, met or not. Refusals (already enrolled, an application pending)
// are the API's explanation.
function Apply({ scheme, name, decision, onDecided }: { scheme: string; name: string;
  decision: ApplicationDecision | undefined; onDecided: (d: ApplicationDecision) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const lang = useLang();
  const me = signedInAs();
  if (decision) {
    const ok = decision.status !== 'rejected';
    return (
      <div class={`card decision ${ok ? 'yes' : 'no'}`} role="status" data-decision={decision.status}>
        <h3>{t('decision')}</h3>
        <p><strong>{tKey('app_', decision.status)}</strong></p>
        <p class="muted">{t('application')} #{decision.application_id} · {formatDate(decision.submitted_at)}</p>
        {decision.explanation?.clauses && <><h4>{t('appReasons')}</h4><Clauses clauses={decision.explanation.clauses} /></>}
      </div>
    );
  }
  const apply = async () => {
    if (!me) return;
    setBusy(true);
    setError(null);
    try {
      onDecided(await api.apply(scheme, me, lang));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="apply">
      {error !== null && <ErrorPanel error={error} />}
      <button type="button" class="secondary" disabled={busy} onClick={apply}
              aria-describedby={`apply-help-${scheme}`}>
        {t('apply')}<span class="visually-hidden">: {name}</span>
      </button>
      <p id={`apply-help-${scheme}`} class="help">{t('applyHelp')}</p>
    </div>
  );
}

function Payments() {
  const [loaded, retry] = useLoad((lang) => Promise.all([api.myPayments(lang), api.schemes()]));
  const lang = useLang();
  return (
    <section>
      <h1>{t('paymentsTitle')}</h1>
      <Show loaded={loaded} retry={retry}>{([mine, all]) => {
        const names = new Map(all.schemes.map((s) => [s.id, s.name[lang]]));
        if (mine.payments.length === 0) return <p>{t('noPayments')}</p>;
        return (
          <ul class="plain">
            {mine.payments.map((p: Payment) => {
              const failed = p.status === 'rejected' || p.status === 'returned' || p.status === 'invalid' || p.status === 'held';
              return (
                <li key={p.instruction_id}>
                  <article class={`card payment ${failed ? 'no' : 'yes'}`} data-status={p.status}>
                    <h2>{names.get(p.scheme_id) ?? p.scheme_id} · {formatPeriod(p.period)}</h2>
                    <dl class="facts">
                      <dt>{t('amount')}</dt><dd>{formatMoney(p.amount_paise)}</dd>
                      <dt>{t('status')}</dt><dd><span class={`badge ${failed ? 'no' : 'yes'}`}>{tKey('status_', p.status)}</span></dd>
                      {p.destination && <><dt>{t('destination')}</dt><dd>{p.destination}</dd></>}
                      {p.reason && <><dt>{t('reason')}</dt><dd class="reason">{p.reason}</dd></>}
                      {p.next_step && <><dt>{t('nextStep')}</dt><dd class="next-step">{p.next_step}</dd></>}
                      <dt>{t('updated')}</dt><dd>{formatDate(p.updated_at)}</dd>
                    </dl>
                  </article>
                </li>
              );
            })}
          </ul>
        );
      }}</Show>
    </section>
  );
}

// Partner apps the household allowed (GET /api/v1/me/consents), withdrawn at once
// (POST /api/v1/me/consents/{id}/revoke).
interface Consent { consent_id: number; client_id: string; client_name: string; purpose: string;
  granted_at: string; expires_at: string; revoked_at: string | null; active: boolean }

function Apps() {
  const [loaded, retry] = useLoad(() => api.get<{ consents: Consent[] }>('/api/v1/me/consents'));
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  useLang();
  const withdraw = async (c: Consent) => {
    setError(null);
    setDone('');
    try {
      await api.post(`/api/v1/me/consents/${c.consent_id}/revoke`, {});
      setDone(t('withdrawnOk').replace('{app}', c.client_name || c.client_id));
      retry();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section>
      <h1>{t('appsTitle')}</h1>
      <p>{t('appsIntro')}</p>
      {done && <p role="status" class="ok">{done}</p>}
      {error !== null && <ErrorPanel error={error} />}
      <Show loaded={loaded} retry={retry}>{(d) => d.consents.length === 0 ? <p>{t('noApps')}</p> : (
        <ul class="plain">
          {d.consents.map((c) => {
            const state = c.active ? 'appActive' : c.revoked_at ? 'appWithdrawn' : 'appExpired';
            return (
              <li key={c.consent_id}>
                <article class={`card ${c.active ? 'yes' : 'no'}`} data-consent={c.consent_id} data-state={state}
                         aria-labelledby={`consent-${c.consent_id}`}>
                  <h2 id={`consent-${c.consent_id}`}>{c.client_name || c.client_id}</h2>
                  <dl class="facts">
                    <dt>{t('appPurpose')}</dt><dd>{c.purpose}</dd>
                    <dt>{t('appGranted')}</dt><dd>{formatDate(c.granted_at)}</dd>
                    <dt>{t('appUntil')}</dt><dd>{formatDate(c.revoked_at ?? c.expires_at)}</dd>
                    <dt>{t('status')}</dt><dd><span class={`badge ${c.active ? 'yes' : 'no'}`}>{t(state)}</span></dd>
                  </dl>
                  {c.active && (
                    <button type="button" class="secondary" onClick={() => withdraw(c)}>
                      {t('withdraw')}<span class="visually-hidden"> {c.client_name || c.client_id}</span>
                    </button>
                  )}
                </article>
              </li>
            );
          })}
        </ul>
      )}</Show>
    </section>
  );
}

const categories = ['payment_not_received', 'payment_returned', 'eligibility_decision',
  'data_correction', 'enrolment', 'service_denied', 'operator_misconduct', 'data_misuse', 'other'];

function Grievances() {
  const [loaded, retry] = useLoad((lang) => api.myGrievances(lang));
  const [category, setCategory] = useState(categories[0]!);
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [filed, setFiled] = useState<{ ticket: string; deadline: string } | null>(null);
  useLang();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api.fileGrievance({ category, description, language: getLang() });
      setFiled(r);
      setDescription('');
      retry();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section>
      <h1>{t('grievancesTitle')}</h1>
      <Show loaded={loaded} retry={retry}>{(g) => g.grievances.length === 0 ? <p>{t('noGrievances')}</p> : (
        <ul class="plain">
          {g.grievances.map((x) => (
            <li key={x.ticket}>
              <article class="card" data-ticket={x.ticket}>
                <h2>{tKey('cat_', x.category)}</h2>
                <dl class="facts">
                  <dt>{t('ticket')}</dt><dd>{x.ticket}</dd>
                  <dt>{t('status')}</dt><dd>{tKey('status_', x.status)}{x.overdue ? ` · ${t('overdue')}` : ''}{x.escalations > 0 ? ` · ${t('escalated')}` : ''}</dd>
                  <dt>{t('filedOn')}</dt><dd>{formatDate(x.filed_at)}</dd>
                  <dt>{t('replyBy')}</dt><dd class="deadline">{formatDate(x.deadline)}</dd>
                </dl>
                <p>{x.description}</p>
                <a href={`/citizen/grievances/${x.ticket}`} onClick={linkTo}>
                  {t('details')}<span class="visually-hidden"> {x.ticket}</span>
                </a>
              </article>
            </li>
          ))}
        </ul>
      )}</Show>
      <h2>{t('fileGrievance')}</h2>
      {filed && <p role="status" class="ok">{t('filed')} <strong>{filed.ticket}</strong>. {t('replyBy')} <strong>{formatDate(filed.deadline)}</strong>.</p>}
      {error !== null && <ErrorPanel error={error} />}
      <form onSubmit={submit}>
        <label for="g-category">{t('category')}</label>
        <select id="g-category" value={category} onChange={(e) => setCategory(e.currentTarget.value)}>
          {categories.map((c) => <option key={c} value={c}>{tKey('cat_', c)}</option>)}
        </select>
        <label for="g-description">{t('description')}</label>
        <textarea id="g-description" required rows={4} value={description}
                  onInput={(e) => setDescription(e.currentTarget.value)} />
        <button type="submit">{t('send')}</button>
      </form>
    </section>
  );
}

function GrievanceView({ ticket }: { ticket: string }) {
  const [loaded, retry] = useLoad((lang) => api.grievance(ticket, lang));
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [rating, setRating] = useState('');
  const [appealReason, setAppealReason] = useState('');
  const [reopenReason, setReopenReason] = useState('');
  useLang();
  const act = async (e: Event | null, what: 'rate' | 'appeal' | 'reopen' | 'close', body: unknown) => {
    e?.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await api.grievanceAct(ticket, what, body);
      setSaved(true);
      retry();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section>
      <p><a href="/citizen/grievances" onClick={linkTo}>{t('backToList')}</a></p>
      <Show loaded={loaded} retry={retry}>{(g) => (
        <>
          <h1>{tKey('cat_', g.category)} · {g.ticket}</h1>
          <dl class="facts">
            <dt>{t('status')}</dt><dd data-field="status">{tKey('status_', g.status)}{g.overdue ? ` · ${t('overdue')}` : ''}{g.escalations > 0 ? ` · ${t('escalated')}` : ''}</dd>
            <dt>{t('replyBy')}</dt><dd class="deadline">{formatDate(g.deadline)}</dd>
            <dt>{t('heldBy')}</dt><dd>{tKey('level_', g.holder.level)}{g.holder.bank ? ` · ${g.holder.bank}` : ''}</dd>
            <dt>{t('filedOn')}</dt><dd>{formatDate(g.filed_at)}</dd>
          </dl>
          <p>{g.description}</p>
          {g.resolution && (
            <div class={`card ${g.resolution.outcome === 'upheld' ? 'yes' : 'no'}`}>
              <h2>{t('answer')}: {tKey('outcome_', g.resolution.outcome)}</h2>
              <p>{g.resolution.reason}</p>
            </div>
          )}
          <h2>{t('history')}</h2>
          <ol class="history">
            {g.history.map((h, i) => (
              <li key={i}><time dateTime={h.at}>{formatDate(h.at)}</time>: {h.text}</li>
            ))}
          </ol>
          {saved && <p role="status" class="ok">{t('saved')}</p>}
          {error !== null && <ErrorPanel error={error} />}
          {g.resolution && g.status !== 'closed' && (
            <>
              <form onSubmit={(e) => act(e, 'rate', { rating: Number(rating) })}>
                <h2>{t('rateTitle')}</h2>
                <label for="g-rating">{t('rating')}</label>
                <select id="g-rating" required value={rating} onChange={(e) => setRating(e.currentTarget.value)}>
                  <option value="">–</option>
                  {[1, 2, 3, 4, 5].map((n) => <option key={n} value={String(n)}>{formatNumber(n)}</option>)}
                </select>
                <button type="submit">{t('rate')}</button>
              </form>
              <form onSubmit={(e) => act(e, 'appeal', { reason: appealReason })}>
                <h2>{t('appealTitle')}</h2>
                <label for="g-appeal">{t('appealReason')}</label>
                <textarea id="g-appeal" required rows={2} value={appealReason}
                          onInput={(e) => setAppealReason(e.currentTarget.value)} />
                <button type="submit">{t('appeal')}</button>
              </form>
              <form onSubmit={(e) => act(e, 'reopen', { reason: reopenReason })}>
                <h2>{t('reopenTitle')}</h2>
                <label for="g-reopen">{t('reopenReason')}</label>
                <textarea id="g-reopen" required rows={2} value={reopenReason}
                          onInput={(e) => setReopenReason(e.currentTarget.value)} />
                <button type="submit">{t('reopen')}</button>
              </form>
              <p><button type="button" class="secondary" onClick={() => act(null, 'close', {})}>{t('closeIt')}</button></p>
            </>
          )}
        </>
      )}</Show>
    </section>
  );
}
