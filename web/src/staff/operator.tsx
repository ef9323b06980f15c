// The service centre's operator console (part of the lazily loaded staff chunk): find a citizen,
// take their one-time-code consent for this session (POST /api/v1/assisted/consent, /verify),
// see the household, submit a change request, file a grievance on their behalf, enrol a new
// family; every act ends on a printable receipt with the fee charged. English and Hindi.
import { useState } from 'preact/hooks';
import { api, type Household } from '../api';
import { formatDate, formatMoney, getLang, useLang } from '../i18n';
import { linkTo, navigate } from '../router';
import { ErrorPanel, Show, useLoad } from '../ui';

const en = {
  nav: 'Operator console', findTitle: 'Find a citizen', enrolTitle: 'Enrol a family',
  searchBy: 'Search by', memberId: 'Member ID', familyId: 'Family ID', nationalId: 'National ID',
  value: 'Number', search: 'Search', noResults: 'Nobody you may serve matches.', name: 'Name', dob: 'Date of birth',
  village: 'Village', askConsent: 'Ask for consent', purpose: 'What you will do for the citizen', fee: 'Fee to charge (₹)',
  feeHelp: 'The citizen\'s SMS names the purpose and this fee; the code works only for them.',
  sendCode: 'Send the consent code', codeSent: 'A code has been sent to the citizen\'s phone. Ask them for it.',
  code: 'Code the citizen reads out', verify: 'Confirm consent',
  consentActive: 'Consent given', consentFor: 'You may act for this household until', feeCharged: 'Fee charged',
  household: 'The household', relationship: 'Relationship', status: 'Status', sex: 'Sex',
  changeTitle: 'Submit a change request', member: 'Member', field: 'Which detail', newValue: 'Correct value',
  reason: 'Reason', submit: 'Submit', grievanceTitle: 'File a grievance for the citizen', category: 'Category',
  description: 'What happened (in the citizen\'s words)', language: 'Language of the replies',
  receiptTitle: 'Receipt', print: 'Print the receipt', act: 'Service', date: 'Date and time', centre: 'Service centre',
  operatorName: 'Operator', reference: 'Reference', citizen: 'Citizen', deadline: 'Reply due by', outcome: 'Outcome',
  actChange: 'Change request', actGrievance: 'Grievance filed', actEnrol: 'Family enrolment',
  newSearch: 'Serve another citizen', backHousehold: 'Back to the household', enrolled: 'Enrolled',
  held: 'Held for a check: a possible duplicate', memberIds: 'Member IDs', villageCode: 'Village code (9 digits)',
  villageName: 'Village name', income: 'Annual household income (₹)', caste: 'Social category',
  addMember: 'Add a member', removeMember: 'Remove', membersTitle: 'Members', phone: 'Mobile number (optional)',
  enrol: 'Enrol the family', female: 'Female', male: 'Male', trans: 'Transgender', noReceipt: 'No receipt to show.',
  pending: 'Pending', noConsent: 'There is no live consent in this session (it lasts 30 minutes). Find the citizen and ask for consent again.', enrolFeeHelp: 'Enrolment needs no consent code; say the fee before you enrol.',
  receiptNote: 'Keep this receipt. The fee shown is all the centre may charge for this service.',
  defaultPurpose: 'Help with a change request and a grievance',
  applyTitle: 'Apply for a scheme for the citizen', scheme: 'Scheme', apply: 'Apply', actApply: 'Scheme application',
  app_enrolled: 'Accepted: enrolled', app_pending: 'Meets the rules; waits for an officer', app_rejected: 'Not accepted',
  notMet: 'Conditions not met',
  cat_enrolment: 'Enrolment', cat_data_correction: 'Data correction', cat_eligibility_decision: 'Eligibility decision',
  cat_payment_not_received: 'Payment not received', cat_payment_returned: 'Payment returned',
  cat_service_denied: 'Service denied', cat_operator_misconduct: 'Operator misconduct',
  cat_data_misuse: 'Misuse of personal data', cat_other: 'Other',
  english: 'English', hindi: 'Hindi',
};
type Key = keyof typeof en;
const hi: Record<Key, string> = {
  nav: 'ऑपरेटर कंसोल', findTitle: 'नागरिक खोजें', enrolTitle: 'परिवार का नामांकन',
  searchBy: 'किससे खोजें', memberId: 'सदस्य आईडी', familyId: 'परिवार आईडी', nationalId: 'राष्ट्रीय आईडी',
  value: 'संख्या', search: 'खोजें', noResults: 'आप जिनकी सेवा कर सकते हैं, उनमें कोई मेल नहीं मिला।', name: 'नाम', dob: 'जन्म तिथि',
  village: 'गाँव', askConsent: 'सहमति माँगें', purpose: 'आप नागरिक के लिए क्या करेंगे', fee: 'लिया जाने वाला शुल्क (₹)',
  feeHelp: 'नागरिक के एसएमएस में यह काम और शुल्क लिखा होगा; कोड केवल इन्हीं के लिए चलेगा।',
  sendCode: 'सहमति कोड भेजें', codeSent: 'नागरिक के फ़ोन पर कोड भेजा गया है। उनसे कोड पूछें।',
  code: 'नागरिक द्वारा बताया गया कोड', verify: 'सहमति की पुष्टि करें',
  consentActive: 'सहमति मिली', consentFor: 'आप इस परिवार के लिए इस समय तक काम कर सकते हैं', feeCharged: 'लिया गया शुल्क',
  household: 'परिवार', relationship: 'संबंध', status: 'स्थिति', sex: 'लिंग',
  changeTitle: 'सुधार अनुरोध भेजें', member: 'सदस्य', field: 'कौन सी जानकारी', newValue: 'सही जानकारी',
  reason: 'कारण', submit: 'भेजें', grievanceTitle: 'नागरिक की ओर से शिकायत दर्ज करें', category: 'श्रेणी',
  description: 'क्या हुआ (नागरिक के शब्दों में)', language: 'उत्तर की भाषा',
  receiptTitle: 'रसीद', print: 'रसीद प्रिंट करें', act: 'सेवा', date: 'तिथि और समय', centre: 'सेवा केंद्र',
  operatorName: 'ऑपरेटर', reference: 'संदर्भ', citizen: 'नागरिक', deadline: 'उत्तर की अंतिम तिथि', outcome: 'परिणाम',
  actChange: 'सुधार अनुरोध', actGrievance: 'शिकायत दर्ज', actEnrol: 'परिवार का नामांकन',
  newSearch: 'दूसरे नागरिक की सेवा करें', backHousehold: 'परिवार पर लौटें', enrolled: 'नामांकित',
  held: 'जाँच के लिए रोका गया: संभावित दोहराव', memberIds: 'सदस्य आईडी', villageCode: 'गाँव कोड (9 अंक)',
  villageName: 'गाँव का नाम', income: 'परिवार की वार्षिक आय (₹)', caste: 'सामाजिक श्रेणी',
  addMember: 'सदस्य जोड़ें', removeMember: 'हटाएँ', membersTitle: 'सदस्य', phone: 'मोबाइल नंबर (वैकल्पिक)',
  enrol: 'परिवार का नामांकन करें', female: 'महिला', male: 'पुरुष', trans: 'ट्रांसजेंडर', noReceipt: 'दिखाने के लिए कोई रसीद नहीं।',
  pending: 'लंबित', noConsent: 'इस सत्र में कोई मान्य सहमति नहीं है (यह 30 मिनट चलती है)। नागरिक को खोजें और फिर से सहमति माँगें।', enrolFeeHelp: 'नामांकन के लिए सहमति कोड नहीं चाहिए; नामांकन से पहले शुल्क बताएँ।',
  receiptNote: 'यह रसीद रखें। दिखाया गया शुल्क ही इस सेवा के लिए केंद्र ले सकता है।',
  defaultPurpose: 'सुधार अनुरोध और शिकायत में सहायता',
  applyTitle: 'नागरिक के लिए योजना में आवेदन करें', scheme: 'योजना', apply: 'आवेदन करें', actApply: 'योजना में आवेदन',
  app_enrolled: 'स्वीकार: नामांकित', app_pending: 'नियम पूरे; अधिकारी के निर्णय की प्रतीक्षा', app_rejected: 'स्वीकार नहीं',
  notMet: 'जो शर्तें पूरी नहीं हुईं',
  cat_enrolment: 'नामांकन', cat_data_correction: 'जानकारी में सुधार', cat_eligibility_decision: 'पात्रता का निर्णय',
  cat_payment_not_received: 'भुगतान नहीं मिला', cat_payment_returned: 'भुगतान लौटा',
  cat_service_denied: 'सेवा से इनकार', cat_operator_misconduct: 'ऑपरेटर का दुर्व्यवहार',
  cat_data_misuse: 'निजी जानकारी का दुरुपयोग', cat_other: 'अन्य',
  english: 'अंग्रेज़ी', hindi: 'हिंदी',
};
const s = (k: Key): string => (getLang() === 'hi' ? hi : en)[k];
const categories = ['payment_not_received', 'payment_returned', 'enrolment', 'data_correction',
  'eligibility_decision', 'service_denied', 'operator_misconduct', 'data_misuse', 'other'] as const;
const relationships = ['head', 'spouse', 'son', 'daughter', 'father', 'mother', 'brother', 'sister',
  'son_in_law', 'daughter_in_law', 'grandson', 'granddaughter', 'other'];

interface Consent { consent_id: number; family_id: string; member_id: string; operator: string; centre: string;
  purpose: string; fee_paise: number; until: number }
interface Receipt { act: 'actChange' | 'actGrievance' | 'actEnrol' | 'actApply'; at: string; centre: string; operator: string;
  citizen: string; reference: string; fee_paise: number; deadline?: string; outcome?: string; extra?: string }

const consentKey = 'spode.consent';
const receiptKey = 'spode.receipt';
function load<T>(k: string): T | null {
  try {
    const v = sessionStorage.getItem(k);
    return v ? (JSON.parse(v) as T) : null;
  } catch {
    return null;
  }
}
function liveConsent(): Consent | null {
  const c = load<Consent>(consentKey);
  return c && c.until > Date.now() ? c : null;
}
const rupeesToPaise = (r: string): number => Math.round(Number(r || '0') * 100);
function showReceipt(r: Receipt) {
  sessionStorage.setItem(receiptKey, JSON.stringify(r));
  navigate('/staff/operator/receipt');
}

export function OperatorConsole({ path, who }: { path: string; who: { username: string; scope?: string } }) {
  useLang();
  const links: [string, Key][] = [['/staff/operator', 'findTitle'], ['/staff/operator/enrol', 'enrolTitle']];
  let page;
  if (path === '/staff/operator/enrol') page = <Enrol who={who} />;
  else if (path === '/staff/operator/receipt') page = <ReceiptPage />;
  else if (path === '/staff/operator/household') page = <HouseholdPage />;
  else page = <Find />;
  return (
    <>
      <nav aria-label={s('nav')}>
        <ul class="tabs-inline">
          {links.map(([href, k]) => (
            <li key={href}><a href={href} onClick={linkTo} aria-current={path === href ? 'page' : undefined}>{s(k)}</a></li>
          ))}
        </ul>
      </nav>
      {page}
    </>
  );
}

interface Found { member_id: string; family_id: string; name: string; dob: string; sex: string; village: string }

function Find() {
  const [by, setBy] = useState<'member_id' | 'family_id' | 'national_id'>('member_id');
  const [value, setValue] = useState('');
  const [results, setResults] = useState<Found[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [chosen, setChosen] = useState<Found | null>(null);
  useLang();
  const search = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setResults(null);
    setChosen(null);
    try {
      const r = await api.post<{ results: Found[] }>('/api/v1/search', { [by]: value.trim() });
      setResults(r.results);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section>
      <h1>{s('findTitle')}</h1>
      <form onSubmit={search}>
        <label for="search-by">{s('searchBy')}</label>
        <select id="search-by" value={by} onChange={(e) => setBy(e.currentTarget.value as typeof by)}>
          <option value="member_id">{s('memberId')}</option>
          <option value="family_id">{s('familyId')}</option>
          <option value="national_id">{s('nationalId')}</option>
        </select>
        <label for="search-value">{s('value')}</label>
        <input id="search-value" required inputMode="numeric" autoComplete="off" value={value}
               onInput={(e) => setValue(e.currentTarget.value)} />
        <button type="submit">{s('search')}</button>
      </form>
      {error !== null && <ErrorPanel error={error} />}
      {results && (results.length === 0 ? <p role="status">{s('noResults')}</p> : (
        <ul class="plain" aria-label={s('findTitle')}>
          {results.map((r) => (
            <li key={r.member_id}>
              <article class="card" data-member={r.member_id} aria-labelledby={`f-${r.member_id}`}>
                <h2 id={`f-${r.member_id}`}>{r.name}</h2>
                <dl class="facts">
                  <dt>{s('memberId')}</dt><dd>{r.member_id}</dd>
                  <dt>{s('familyId')}</dt><dd>{r.family_id}</dd>
                  <dt>{s('dob')}</dt><dd>{formatDate(r.dob)}</dd>
                  <dt>{s('village')}</dt><dd>{r.village}</dd>
                </dl>
                {chosen?.member_id === r.member_id ? <ConsentForm found={r} /> : (
                  <button type="button" onClick={() => setChosen(r)}>{s('askConsent')}<span class="visually-hidden"> {r.name}</span></button>
                )}
              </article>
            </li>
          ))}
        </ul>
      ))}
    </section>
  );
}

function ConsentForm({ found }: { found: Found }) {
  const [purpose, setPurpose] = useState(s('defaultPurpose'));
  const [fee, setFee] = useState('20');
  const [sent, setSent] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  useLang();
  const body = () => ({ member_id: found.member_id, purpose, fee_paise: rupeesToPaise(fee) });
  const send = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await api.post('/api/v1/assisted/consent', body());
      setSent(true);
    } catch (err) {
      setError(err);
    }
  };
  const verify = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api.post<{ consent_id: number; family_id: string; operator: string; centre: string;
        purpose: string; fee_paise: number; expires_in_seconds: number }>(
        '/api/v1/assisted/consent/verify', { ...body(), code: code.trim() });
      const c: Consent = { consent_id: r.consent_id, family_id: r.family_id, member_id: found.member_id,
        operator: r.operator, centre: r.centre, purpose: r.purpose, fee_paise: r.fee_paise,
        until: Date.now() + r.expires_in_seconds * 1000 };
      sessionStorage.setItem(consentKey, JSON.stringify(c));
      navigate('/staff/operator/household');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div>
      {!sent ? (
        <form key="send" onSubmit={send}>
          <label for="consent-purpose">{s('purpose')}</label>
          <input id="consent-purpose" required maxLength={200} value={purpose} onInput={(e) => setPurpose(e.currentTarget.value)} />
          <label for="consent-fee">{s('fee')}</label>
          <input id="consent-fee" required type="number" min="0" step="0.01" value={fee} aria-describedby="consent-fee-help"
                 onInput={(e) => setFee(e.currentTarget.value)} />
          <p id="consent-fee-help" class="help">{s('feeHelp')}</p>
          <button type="submit">{s('sendCode')}</button>
        </form>
      ) : (
        <form key="verify" onSubmit={verify}>
          <p role="status">{s('codeSent')}</p>
          <label for="consent-code">{s('code')}</label>
          <input id="consent-code" required inputMode="numeric" autoComplete="one-time-code" pattern="\d{6}" value={code}
                 onInput={(e) => setCode(e.currentTarget.value)} />
          <button type="submit">{s('verify')}</button>
        </form>
      )}
      {error !== null && <ErrorPanel error={error} />}
    </div>
  );
}

function HouseholdPage() {
  const consent = liveConsent();
  const [loaded, retry] = useLoad(() =>
    consent ? api.get<Household>(`/api/v1/households/${consent.family_id}`) : Promise.reject(new Error('no consent')));
  useLang();
  if (!consent) return <section><h1>{s('household')}</h1><p role="status">{s('noConsent')}</p><a href="/staff/operator" onClick={linkTo}>{s('findTitle')}</a></section>;
  return (
    <section>
      <h1>{s('household')} {consent.family_id}</h1>
      <p class="ok" role="status" data-consent={consent.consent_id}>
        {s('consentActive')}: {consent.purpose}. {s('feeCharged')}: <strong>{formatMoney(consent.fee_paise)}</strong>.{' '}
        {s('consentFor')} {new Date(consent.until).toLocaleTimeString(getLang() === 'hi' ? 'hi-IN' : 'en-IN')}.
      </p>
      <Show loaded={loaded} retry={retry}>{(h) => (
        <>
          <div class="scroll" tabIndex={0} role="region" aria-label={s('household')}>
            <table>
              <caption class="visually-hidden">{s('household')}</caption>
              <thead><tr><th scope="col">{s('memberId')}</th><th scope="col">{s('name')}</th><th scope="col">{s('relationship')}</th>
                <th scope="col">{s('dob')}</th><th scope="col">{s('nationalId')}</th><th scope="col">{s('status')}</th></tr></thead>
              <tbody>
                {h.members.map((m) => (
                  <tr key={m.member_id}><td>{m.member_id}</td><td>{m.name}</td><td>{m.relationship}</td>
                    <td>{formatDate(m.dob)}</td><td>{m.national_id ?? '—'}</td><td>{m.status}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
          <ChangeRequestForm h={h} consent={consent} />
          <GrievanceForm h={h} consent={consent} />
          <ApplyForm h={h} consent={consent} />
        </>
      )}</Show>
    </section>
  );
}

function ChangeRequestForm({ h, consent }: { h: Household; consent: Consent }) {
  const [memberId, setMemberId] = useState(consent.member_id);
  const m = h.members.find((x) => x.member_id === memberId) ?? h.members[0]!;
  const fields = ['name', ...Object.keys(m.attributes)];
  const [field, setField] = useState('name');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  useLang();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const old = field === 'name' ? m.name : m.attributes[field];
    let typed: unknown = value.trim();
    if (typeof old === 'number' && !Number.isNaN(Number(typed))) typed = Number(typed);
    if (typeof old === 'boolean') typed = /^(true|yes|हाँ|1)$/i.test(value.trim());
    try {
      const r = await api.changeRequest({ member_id: m.member_id, changes: { [field]: typed }, reason });
      showReceipt({ act: 'actChange', at: new Date().toISOString(), centre: consent.centre, operator: consent.operator,
        citizen: m.member_id, reference: `#${r.id ?? r.change_request_id ?? ''}`, fee_paise: consent.fee_paise,
        outcome: r.status ?? 'pending', extra: `${field}: ${String(typed)}` });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="op-change">
      <h2 id="op-change">{s('changeTitle')}</h2>
      <form onSubmit={submit}>
        <label for="cr-member">{s('member')}</label>
        <select id="cr-member" value={memberId} onChange={(e) => setMemberId(e.currentTarget.value)}>
          {h.members.map((x) => <option key={x.member_id} value={x.member_id}>{x.name} ({x.member_id})</option>)}
        </select>
        <label for="cr-field">{s('field')}</label>
        <select id="cr-field" value={field} onChange={(e) => setField(e.currentTarget.value)}>
          {fields.map((f) => <option key={f} value={f}>{f.replace(/_/g, ' ')}</option>)}
        </select>
        <label for="cr-value">{s('newValue')}</label>
        <input id="cr-value" required value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        <label for="cr-reason">{s('reason')}</label>
        <input id="cr-reason" required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        <button type="submit">{s('submit')}<span class="visually-hidden"> {s('changeTitle')}</span></button>
      </form>
      {error !== null && <ErrorPanel error={error} />}
    </section>
  );
}

function GrievanceForm({ h, consent }: { h: Household; consent: Consent }) {
  const [memberId, setMemberId] = useState(consent.member_id);
  const [category, setCategory] = useState<string>(categories[0]);
  const [description, setDescription] = useState('');
  const [language, setLanguage] = useState(getLang());
  const [error, setError] = useState<unknown>(null);
  useLang();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api.post<{ ticket: string; deadline: string; status: string }>('/api/v1/grievances', {
        member_id: memberId, category, description, language, fee_paise: consent.fee_paise, consent_id: consent.consent_id });
      showReceipt({ act: 'actGrievance', at: new Date().toISOString(), centre: consent.centre, operator: consent.operator,
        citizen: memberId, reference: r.ticket, fee_paise: consent.fee_paise, deadline: r.deadline, outcome: r.status,
        extra: s(`cat_${category}` as Key) });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="op-grievance">
      <h2 id="op-grievance">{s('grievanceTitle')}</h2>
      <form onSubmit={submit}>
        <label for="gr-member">{s('member')}</label>
        <select id="gr-member" value={memberId} onChange={(e) => setMemberId(e.currentTarget.value)}>
          {h.members.map((x) => <option key={x.member_id} value={x.member_id}>{x.name} ({x.member_id})</option>)}
        </select>
        <label for="gr-category">{s('category')}</label>
        <select id="gr-category" value={category} onChange={(e) => setCategory(e.currentTarget.value)}>
          {categories.map((c) => <option key={c} value={c}>{s(`cat_${c}` as Key)}</option>)}
        </select>
        <label for="gr-description">{s('description')}</label>
        <textarea id="gr-description" required maxLength={2000} rows={4} value={description}
                  onInput={(e) => setDescription(e.currentTarget.value)} />
        <label for="gr-language">{s('language')}</label>
        <select id="gr-language" value={language} onChange={(e) => setLanguage(e.currentTarget.value as typeof language)}>
          <option value="en">{s('english')}</option><option value="hi">{s('hindi')}</option>
        </select>
        <button type="submit">{s('submit')}<span class="visually-hidden"> {s('grievanceTitle')}</span></button>
      </form>
      {error !== null && <ErrorPanel error={error} />}
    </section>
  );
}

// An application for a scheme on the citizen's behalf (POST /api/v1/applications, under the
// consent): the rules decide at once; the receipt shows the decision and the unmet conditions.
function ApplyForm({ h, consent }: { h: Household; consent: Consent }) {
  const [memberId, setMemberId] = useState(consent.member_id);
  const [scheme, setScheme] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [schemes] = useLoad(() => api.schemes());
  const lang = useLang();
  const list = schemes.state === 'ok' ? schemes.data.schemes : [];
  const chosen = scheme || list[0]?.id || '';
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api.apply(chosen, memberId, lang);
      const unmet = (r.explanation?.clauses ?? []).filter((c) => !c.met).map((c) => c.explanation);
      const name = list.find((x) => x.id === chosen)?.name[lang] ?? chosen;
      showReceipt({ act: 'actApply', at: new Date().toISOString(), centre: consent.centre, operator: consent.operator,
        citizen: memberId, reference: `#${r.application_id}`, fee_paise: consent.fee_paise,
        outcome: s(`app_${r.status}` as Key),
        extra: unmet.length > 0 ? `${name}; ${s('notMet')}: ${unmet.join('; ')}` : name });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="op-apply">
      <h2 id="op-apply">{s('applyTitle')}</h2>
      <form onSubmit={submit}>
        <label for="ap-member">{s('member')}</label>
        <select id="ap-member" value={memberId} onChange={(e) => setMemberId(e.currentTarget.value)}>
          {h.members.map((x) => <option key={x.member_id} value={x.member_id}>{x.name} ({x.member_id})</option>)}
        </select>
        <label for="ap-scheme">{s('scheme')}</label>
        <select id="ap-scheme" value={chosen} onChange={(e) => setScheme(e.currentTarget.value)}>
          {list.map((x) => <option key={x.id} value={x.id}>{x.name[lang]}</option>)}
        </select>
        <button type="submit" disabled={!chosen}>{s('apply')}<span class="visually-hidden"> {s('applyTitle')}</span></button>
      </form>
      {error !== null && <ErrorPanel error={error} />}
    </section>
  );
}

interface NewMember { name: string; dob: string; sex: string; relationship: string; phone: string }
const blankMember = (rel: string): NewMember => ({ name: '', dob: '', sex: 'F', relationship: rel, phone: '' });

function Enrol({ who }: { who: { username: string; scope?: string } }) {
  const [village, setVillage] = useState('');
  const [villageName, setVillageName] = useState('');
  const [income, setIncome] = useState('');
  const [caste, setCaste] = useState('GEN');
  const [fee, setFee] = useState('0');
  const [members, setMembers] = useState<NewMember[]>([blankMember('head')]);
  const [error, setError] = useState<unknown>(null);
  useLang();
  const set = (i: number, patch: Partial<NewMember>) =>
    setMembers(members.map((m, j) => (j === i ? { ...m, ...patch } : m)));
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const v = village.trim();
    const body = {
      address: { state: v.slice(0, 2), district: v.slice(0, 4), block: v.slice(0, 6), village: v,
        ...(villageName.trim() ? { village_name: villageName.trim() } : {}) },
      attributes: { income_annual: rupeesToPaise(income), caste_category: caste },
      members: members.map((m) => ({ name: m.name.trim(), dob: m.dob, sex: m.sex, relationship: m.relationship,
        ...(m.phone.trim() ? { phone: m.phone.trim() } : {}) })),
    };
    try {
      const r = await api.post<{ family_id: string; member_ids: string[]; status: string; reason?: string }>(
        '/api/v1/households', body);
      showReceipt({ act: 'actEnrol', at: new Date().toISOString(), centre: who.scope ?? '', operator: who.username,
        citizen: members[0]!.name, reference: r.family_id, fee_paise: rupeesToPaise(fee),
        outcome: r.status === 'enrolled' ? s('enrolled') : `${s('held')}${r.reason ? ` (${r.reason})` : ''}`,
        extra: `${s('memberIds')}: ${r.member_ids.join(', ')}` });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section>
      <h1>{s('enrolTitle')}</h1>
      <form onSubmit={submit}>
        <label for="en-village">{s('villageCode')}</label>
        <input id="en-village" required inputMode="numeric" pattern="\d{9}" value={village} onInput={(e) => setVillage(e.currentTarget.value)} />
        <label for="en-village-name">{s('villageName')}</label>
        <input id="en-village-name" value={villageName} onInput={(e) => setVillageName(e.currentTarget.value)} />
        <label for="en-income">{s('income')}</label>
        <input id="en-income" required type="number" min="0" step="1" value={income} onInput={(e) => setIncome(e.currentTarget.value)} />
        <label for="en-caste">{s('caste')}</label>
        <select id="en-caste" value={caste} onChange={(e) => setCaste(e.currentTarget.value)}>
          {['SC', 'ST', 'OBC', 'GEN'].map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
        <fieldset>
          <legend>{s('membersTitle')}</legend>
          {members.map((m, i) => (
            <div class="card" key={i} data-new-member={i}>
              <label for={`m${i}-name`}>{s('name')} {i + 1}</label>
              <input id={`m${i}-name`} required value={m.name} onInput={(e) => set(i, { name: e.currentTarget.value })} />
              <label for={`m${i}-dob`}>{s('dob')} {i + 1}</label>
              <input id={`m${i}-dob`} type="date" required value={m.dob} onInput={(e) => set(i, { dob: e.currentTarget.value })} />
              <label for={`m${i}-sex`}>{s('sex')} {i + 1}</label>
              <select id={`m${i}-sex`} value={m.sex} onChange={(e) => set(i, { sex: e.currentTarget.value })}>
                <option value="F">{s('female')}</option><option value="M">{s('male')}</option><option value="T">{s('trans')}</option>
              </select>
              <label for={`m${i}-rel`}>{s('relationship')} {i + 1}</label>
              <select id={`m${i}-rel`} value={m.relationship} onChange={(e) => set(i, { relationship: e.currentTarget.value })}>
                {relationships.map((r) => <option key={r} value={r}>{r.replace(/_/g, ' ')}</option>)}
              </select>
              <label for={`m${i}-phone`}>{s('phone')} {i + 1}</label>
              <input id={`m${i}-phone`} inputMode="tel" pattern="[6-9]\d{9}" value={m.phone} onInput={(e) => set(i, { phone: e.currentTarget.value })} />
              {i > 0 && <button type="button" class="secondary" onClick={() => setMembers(members.filter((_, j) => j !== i))}>
                {s('removeMember')}<span class="visually-hidden"> {i + 1}</span></button>}
            </div>
          ))}
          <button type="button" class="secondary" onClick={() => setMembers([...members, blankMember('spouse')])}>{s('addMember')}</button>
        </fieldset>
        <label for="en-fee">{s('fee')}</label>
        <input id="en-fee" required type="number" min="0" step="0.01" value={fee} aria-describedby="en-fee-help"
               onInput={(e) => setFee(e.currentTarget.value)} />
        <p id="en-fee-help" class="help">{s('enrolFeeHelp')}</p>
        <button type="submit">{s('enrol')}</button>
      </form>
      {error !== null && <ErrorPanel error={error} />}
    </section>
  );
}

function ReceiptPage() {
  const r = load<Receipt>(receiptKey);
  const lang = useLang();
  if (!r) return <section><h1>{s('receiptTitle')}</h1><p>{s('noReceipt')}</p></section>;
  return (
    <section class="receipt">
      <h1>{s('receiptTitle')}: {s(r.act)}</h1>
      <dl class="facts" id="receipt">
        <dt>{s('act')}</dt><dd>{s(r.act)}{r.extra ? ` (${r.extra})` : ''}</dd>
        <dt>{s('reference')}</dt><dd data-field="reference">{r.reference}</dd>
        {r.outcome && <><dt>{s('outcome')}</dt><dd data-field="outcome">{r.outcome}</dd></>}
        {r.deadline && <><dt>{s('deadline')}</dt><dd>{formatDate(r.deadline)}</dd></>}
        <dt>{s('citizen')}</dt><dd>{r.citizen}</dd>
        <dt>{s('feeCharged')}</dt><dd data-field="fee">{formatMoney(r.fee_paise)}</dd>
        <dt>{s('date')}</dt><dd>{new Date(r.at).toLocaleString(lang === 'hi' ? 'hi-IN' : 'en-IN')}</dd>
        <dt>{s('centre')}</dt><dd>{r.centre}</dd>
        <dt>{s('operatorName')}</dt><dd>{r.operator}</dd>
      </dl>
      <p>{s('receiptNote')}</p>
      <div class="actions no-print">
        <button type="button" onClick={() => window.print()}>{s('print')}</button>
        {r.act !== 'actEnrol' && liveConsent() && <a class="button secondary" href="/staff/operator/household" onClick={linkTo}>{s('backHousehold')}</a>}
        <a class="button secondary" href="/staff/operator" onClick={linkTo}>{s('newSearch')}</a>
      </div>
    </section>
  );
}
