// English and Hindi for every string the pages show, switchable and remembered in
// localStorage ('spode.lang'); numbers, money and dates in Indian formats (en-IN, hi-IN).
import { useEffect, useState } from 'preact/hooks';

export type Lang = 'en' | 'hi';

const en = {
  appName: 'spode',
  tagline: 'Your family, your schemes, your payments',
  skip: 'Skip to main content',
  language: 'Language',
  switchTo: 'हिन्दी',
  switchLabel: 'पढ़ें हिन्दी में (Read in Hindi)',
  citizenPortal: 'For citizens',
  citizenIntro: 'See your family record, the schemes you can get and why, and your payments.',
  staffPortal: 'For staff',
  staffIntro: 'Officers, operators and banks sign in with their user name.',
  signIn: 'Sign in',
  signOut: 'Sign out',
  memberId: 'Member ID',
  memberIdHelp: 'The 11-digit number on your family card.',
  sendCode: 'Send me a code',
  codeSent: 'If this member ID has a mobile number, we have sent a 6-digit code to it. It expires in 10 minutes.',
  code: 'One-time code',
  codeHelp: 'The 6 digits in the SMS. Never share it with anyone.',
  verify: 'Sign in',
  changeMember: 'Use another member ID',
  loading: 'Loading…',
  navFamily: 'My family',
  navSchemes: 'My schemes',
  navPayments: 'My payments',
  navGrievances: 'My grievances',
  familyTitle: 'My family',
  familyId: 'Family ID',
  address: 'Address',
  household: 'Household details',
  born: 'Born',
  relationship: 'Relationship',
  nationalId: 'National ID',
  phone: 'Mobile',
  bank: 'Bank account',
  none: 'None',
  source: 'Source',
  verifiedBy: 'checked',
  asOf: 'as of',
  thisIsWrong: 'This is wrong',
  whichDetail: 'Which detail is wrong?',
  correctValue: 'Correct value',
  whyWrong: 'Why is it wrong?',
  send: 'Send',
  cancel: 'Cancel',
  changeSent: 'Your correction request has been sent. An officer will check it.',
  schemesTitle: 'My schemes',
  eligible: 'You are eligible',
  notEligible: 'Not eligible',
  enrolled: 'Enrolled',
  why: 'Why',
  met: 'Met',
  notMet: 'Not met',
  benefit: 'Benefit',
  checkedOn: 'Checked on',
  schemesIntro: 'For each scheme, every condition and whether you meet it.',
  paymentsTitle: 'My payments',
  noPayments: 'No payments yet.',
  period: 'Period',
  amount: 'Amount',
  status: 'Status',
  destination: 'Paid to',
  reason: 'What happened',
  nextStep: 'What to do',
  updated: 'Updated',
  grievancesTitle: 'My grievances',
  noGrievances: 'You have not filed any grievance.',
  fileGrievance: 'File a grievance',
  category: 'What is it about?',
  description: 'Tell us what happened',
  filed: 'Your grievance is filed. Ticket',
  replyBy: 'Reply due by',
  ticket: 'Ticket',
  filedOn: 'Filed on',
  overdue: 'Overdue',
  escalated: 'Escalated',
  staffTitle: 'Staff sign-in',
  username: 'User name',
  password: 'Password',
  // errors: what happened, what to do
  errTitle: 'Something went wrong',
  errWhatToDo: 'What to do',
  errNetwork: 'We could not reach spode.',
  errNetworkDo: 'Check your internet connection and try again.',
  err401: 'You are not signed in, or the code or password was wrong.',
  err401Do: 'Sign in again. If you asked for a code, check the SMS and type the 6 digits.',
  err403: 'You are not allowed to do this.',
  err403Do: 'Ask your supervisor or visit a service centre.',
  err404: 'We could not find this.',
  err404Do: 'Check the number and try again.',
  err400: 'Some information was not accepted.',
  err400Do: 'Correct it and try again.',
  err409: 'This has already been done, or cannot be done now.',
  err409Do: 'Reload the page to see the latest state.',
  err429: 'Too many attempts.',
  err429Do: 'Wait a few minutes, then try again.',
  err503: 'spode is starting up or busy.',
  err503Do: 'Try again in a minute.',
  err500: 'spode had a problem.',
  err500Do: 'Try again in a few minutes. If it keeps happening, visit a service centre.',
  reference: 'Reference',
  tryAgain: 'Try again',
  notFoundPage: 'There is no page at this address.',
  goHome: 'Go to the home page',
  status_paid: 'Paid',
  status_rejected: 'Not paid',
  status_returned: 'Returned',
  status_sent: 'Sent to bank',
  status_accepted: 'Accepted by bank',
  status_ready: 'Being prepared',
  status_held: 'On hold',
  status_invalid: 'Could not be sent',
  status_open: 'Open',
  status_resolved: 'Resolved',
  status_closed: 'Closed',
  cat_payment_not_received: 'Payment not received',
  cat_payment_returned: 'Payment returned',
  cat_eligibility_decision: 'Eligibility decision',
  cat_data_correction: 'Correcting my data',
  cat_enrolment: 'Enrolment',
  cat_service_denied: 'Service denied',
  cat_operator_misconduct: 'Operator misconduct',
  cat_data_misuse: 'Misuse of my data',
  cat_other: 'Something else',
  details: 'Details',
  history: 'What has happened',
  answer: 'The answer',
  outcome_upheld: 'Accepted: in your favour',
  outcome_rejected: 'Not accepted',
  heldBy: 'With',
  level_block: 'the block grievance officer',
  level_district: 'the district grievance officer',
  level_state: 'the state grievance officer',
  rateTitle: 'How good was the answer?',
  rating: 'Rating (1 poor – 5 very good)',
  rate: 'Rate',
  appealTitle: 'Appeal to a senior officer',
  appealReason: 'Why do you appeal?',
  appeal: 'Appeal',
  reopenTitle: 'Reopen',
  reopenReason: 'Why is it not solved?',
  reopen: 'Reopen',
  closeIt: 'Close, I am satisfied',
  saved: 'Done.',
  backToList: 'All my grievances',
  status_appealed: 'Under appeal',
  status_reopened: 'Reopened',
  apply: 'Apply for this scheme',
  applyHelp: 'The rules decide at once and tell you why.',
  decision: 'Decision on your application',
  application: 'Application',
  app_enrolled: 'Accepted: you are enrolled.',
  app_pending: 'You meet the rules. An officer will check your application and decide.',
  app_rejected: 'Not accepted: you do not meet every condition.',
  appReasons: 'The conditions',
  navApps: 'Apps I have allowed',
  appsTitle: 'Apps I have allowed',
  appsIntro: 'Apps you have allowed to read your family\'s record (names, dates of birth and details the schemes use; never bank accounts, phone numbers or national IDs). Withdraw one and it stops at once. Every read is in your access log.',
  noApps: 'You have not allowed any app.',
  appPurpose: 'Purpose',
  appUntil: 'Allowed until',
  appGranted: 'Allowed on',
  appActive: 'Active',
  appWithdrawn: 'Withdrawn',
  appExpired: 'Expired',
  withdraw: 'Withdraw',
  withdrawnOk: 'Withdrawn: {app} can no longer read your family\'s record.',
};

export type Key = keyof typeof en;

const hi: Record<Key, string> = {
  appName: 'spode',
  tagline: 'आपका परिवार, आपकी योजनाएँ, आपके भुगतान',
  skip: 'मुख्य सामग्री पर जाएँ',
  language: 'भाषा',
  switchTo: 'English',
  switchLabel: 'Read in English (अंग्रेज़ी में पढ़ें)',
  citizenPortal: 'नागरिकों के लिए',
  citizenIntro: 'अपने परिवार का रिकॉर्ड, आपको मिलने वाली योजनाएँ और उनका कारण, और अपने भुगतान देखें।',
  staffPortal: 'कर्मचारियों के लिए',
  staffIntro: 'अधिकारी, ऑपरेटर और बैंक अपने उपयोगकर्ता नाम से साइन इन करें।',
  signIn: 'साइन इन करें',
  signOut: 'साइन आउट करें',
  memberId: 'सदस्य आईडी',
  memberIdHelp: 'आपके परिवार कार्ड पर लिखी 11 अंकों की संख्या।',
  sendCode: 'मुझे कोड भेजें',
  codeSent: 'यदि इस सदस्य आईडी के साथ मोबाइल नंबर जुड़ा है, तो हमने उस पर 6 अंकों का कोड भेजा है। यह 10 मिनट में समाप्त हो जाएगा।',
  code: 'एक बार का कोड',
  codeHelp: 'एसएमएस में आए 6 अंक। इसे किसी के साथ साझा न करें।',
  verify: 'साइन इन करें',
  changeMember: 'दूसरी सदस्य आईडी का उपयोग करें',
  loading: 'लोड हो रहा है…',
  navFamily: 'मेरा परिवार',
  navSchemes: 'मेरी योजनाएँ',
  navPayments: 'मेरे भुगतान',
  navGrievances: 'मेरी शिकायतें',
  familyTitle: 'मेरा परिवार',
  familyId: 'परिवार आईडी',
  address: 'पता',
  household: 'परिवार का विवरण',
  born: 'जन्म',
  relationship: 'संबंध',
  nationalId: 'राष्ट्रीय पहचान संख्या',
  phone: 'मोबाइल',
  bank: 'बैंक खाता',
  none: 'कोई नहीं',
  source: 'स्रोत',
  verifiedBy: 'जाँच',
  asOf: 'तारीख',
  thisIsWrong: 'यह गलत है',
  whichDetail: 'कौन-सा विवरण गलत है?',
  correctValue: 'सही जानकारी',
  whyWrong: 'यह गलत क्यों है?',
  send: 'भेजें',
  cancel: 'रद्द करें',
  changeSent: 'आपका सुधार अनुरोध भेज दिया गया है। एक अधिकारी इसकी जाँच करेगा।',
  schemesTitle: 'मेरी योजनाएँ',
  eligible: 'आप पात्र हैं',
  notEligible: 'पात्र नहीं',
  enrolled: 'नामांकित',
  why: 'क्यों',
  met: 'पूरी',
  notMet: 'पूरी नहीं',
  benefit: 'लाभ',
  checkedOn: 'जाँच की तारीख',
  schemesIntro: 'हर योजना के लिए, हर शर्त और क्या आप उसे पूरा करते हैं।',
  paymentsTitle: 'मेरे भुगतान',
  noPayments: 'अभी तक कोई भुगतान नहीं।',
  period: 'अवधि',
  amount: 'राशि',
  status: 'स्थिति',
  destination: 'किसे भुगतान',
  reason: 'क्या हुआ',
  nextStep: 'क्या करें',
  updated: 'अद्यतन',
  grievancesTitle: 'मेरी शिकायतें',
  noGrievances: 'आपने कोई शिकायत दर्ज नहीं की है।',
  fileGrievance: 'शिकायत दर्ज करें',
  category: 'शिकायत किस बारे में है?',
  description: 'बताइए क्या हुआ',
  filed: 'आपकी शिकायत दर्ज हो गई है। टिकट',
  replyBy: 'उत्तर की अंतिम तिथि',
  ticket: 'टिकट',
  filedOn: 'दर्ज करने की तारीख',
  overdue: 'समय सीमा बीत गई',
  escalated: 'ऊपर भेजी गई',
  staffTitle: 'कर्मचारी साइन इन',
  username: 'उपयोगकर्ता नाम',
  password: 'पासवर्ड',
  errTitle: 'कुछ गलत हो गया',
  errWhatToDo: 'क्या करें',
  errNetwork: 'हम spode से जुड़ नहीं सके।',
  errNetworkDo: 'अपना इंटरनेट कनेक्शन जाँचें और फिर से कोशिश करें।',
  err401: 'आप साइन इन नहीं हैं, या कोड या पासवर्ड गलत था।',
  err401Do: 'फिर से साइन इन करें। यदि आपने कोड माँगा है, तो एसएमएस देखें और 6 अंक लिखें।',
  err403: 'आपको यह करने की अनुमति नहीं है।',
  err403Do: 'अपने पर्यवेक्षक से पूछें या सेवा केंद्र जाएँ।',
  err404: 'यह हमें नहीं मिला।',
  err404Do: 'संख्या जाँचें और फिर से कोशिश करें।',
  err400: 'कुछ जानकारी स्वीकार नहीं हुई।',
  err400Do: 'उसे ठीक करें और फिर से कोशिश करें।',
  err409: 'यह पहले ही हो चुका है, या अभी नहीं हो सकता।',
  err409Do: 'नवीनतम स्थिति देखने के लिए पेज फिर से लोड करें।',
  err429: 'बहुत अधिक प्रयास।',
  err429Do: 'कुछ मिनट रुकें, फिर कोशिश करें।',
  err503: 'spode अभी शुरू हो रहा है या व्यस्त है।',
  err503Do: 'एक मिनट बाद फिर कोशिश करें।',
  err500: 'spode में कोई समस्या आई।',
  err500Do: 'कुछ मिनट बाद फिर कोशिश करें। यदि ऐसा होता रहे, तो सेवा केंद्र जाएँ।',
  reference: 'संदर्भ',
  tryAgain: 'फिर से कोशिश करें',
  notFoundPage: 'इस पते पर कोई पेज नहीं है।',
  goHome: 'मुख्य पेज पर जाएँ',
  status_paid: 'भुगतान हो गया',
  status_rejected: 'भुगतान नहीं हुआ',
  status_returned: 'भुगतान लौटा',
  status_sent: 'बैंक को भेजा गया',
  status_accepted: 'बैंक ने स्वीकार किया',
  status_ready: 'तैयार हो रहा है',
  status_held: 'रोका गया',
  status_invalid: 'भेजा नहीं जा सका',
  status_open: 'खुली',
  status_resolved: 'हल हुई',
  status_closed: 'बंद',
  cat_payment_not_received: 'भुगतान नहीं मिला',
  cat_payment_returned: 'भुगतान लौट आया',
  cat_eligibility_decision: 'पात्रता का निर्णय',
  cat_data_correction: 'मेरी जानकारी में सुधार',
  cat_enrolment: 'नामांकन',
  cat_service_denied: 'सेवा से इनकार',
  cat_operator_misconduct: 'ऑपरेटर का दुर्व्यवहार',
  cat_data_misuse: 'मेरी जानकारी का दुरुपयोग',
  cat_other: 'कुछ और',
  details: 'विवरण',
  history: 'अब तक क्या हुआ',
  answer: 'उत्तर',
  outcome_upheld: 'स्वीकार: आपके पक्ष में',
  outcome_rejected: 'स्वीकार नहीं',
  heldBy: 'किसके पास',
  level_block: 'ब्लॉक शिकायत अधिकारी',
  level_district: 'ज़िला शिकायत अधिकारी',
  level_state: 'राज्य शिकायत अधिकारी',
  rateTitle: 'उत्तर कितना अच्छा था?',
  rating: 'रेटिंग (1 खराब – 5 बहुत अच्छा)',
  rate: 'रेटिंग दें',
  appealTitle: 'वरिष्ठ अधिकारी को अपील करें',
  appealReason: 'आप अपील क्यों कर रहे हैं?',
  appeal: 'अपील करें',
  reopenTitle: 'फिर से खोलें',
  reopenReason: 'समस्या हल क्यों नहीं हुई?',
  reopen: 'फिर से खोलें',
  closeIt: 'बंद करें, मैं संतुष्ट हूँ',
  saved: 'हो गया।',
  backToList: 'मेरी सभी शिकायतें',
  status_appealed: 'अपील में',
  status_reopened: 'फिर से खोली गई',
  apply: 'इस योजना के लिए आवेदन करें',
  applyHelp: 'नियम तुरंत निर्णय करते हैं और कारण बताते हैं।',
  decision: 'आपके आवेदन पर निर्णय',
  application: 'आवेदन',
  app_enrolled: 'स्वीकार: आप नामांकित हैं।',
  app_pending: 'आप नियमों को पूरा करते हैं। एक अधिकारी आपके आवेदन की जाँच करके निर्णय करेगा।',
  app_rejected: 'स्वीकार नहीं: आप हर शर्त पूरी नहीं करते।',
  appReasons: 'शर्तें',
  navApps: 'मेरी अनुमति वाले ऐप',
  appsTitle: 'मेरी अनुमति वाले ऐप',
  appsIntro: 'जिन ऐप को आपने अपने परिवार का रिकॉर्ड पढ़ने की अनुमति दी है (नाम, जन्म तिथि और योजनाओं में काम आने वाली जानकारी; बैंक खाता, फ़ोन नंबर या राष्ट्रीय पहचान संख्या कभी नहीं)। अनुमति वापस लेते ही पढ़ना तुरंत बंद हो जाता है। हर बार पढ़ना आपके एक्सेस लॉग में दर्ज होता है।',
  noApps: 'आपने किसी ऐप को अनुमति नहीं दी है।',
  appPurpose: 'उद्देश्य',
  appUntil: 'अनुमति की अंतिम तिथि',
  appGranted: 'अनुमति दी गई',
  appActive: 'सक्रिय',
  appWithdrawn: 'वापस ली गई',
  appExpired: 'समाप्त',
  withdraw: 'अनुमति वापस लें',
  withdrawnOk: 'अनुमति वापस ली गई: {app} अब आपके परिवार का रिकॉर्ड नहीं पढ़ सकता।',
};

export const dictionaries: Record<Lang, Record<Key, string>> = { en, hi };

const storageKey = 'spode.lang';
function initial(): Lang {
  try {
    const saved = localStorage.getItem(storageKey);
    if (saved === 'en' || saved === 'hi') return saved;
  } catch {
    /* storage blocked: fall through */
  }
  return navigator.language?.startsWith('hi') ? 'hi' : 'en';
}

let current: Lang = initial();
const listeners = new Set<(l: Lang) => void>();

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  current = lang;
  try {
    localStorage.setItem(storageKey, lang);
  } catch {
    /* not remembered, still switched */
  }
  document.documentElement.lang = lang;
  listeners.forEach((f) => f(lang));
}

export function t(key: Key): string {
  return dictionaries[current][key];
}

// Re-renders the calling component when the language changes; returns the current one.
export function useLang(): Lang {
  const [lang, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    return () => {
      listeners.delete(set);
    };
  }, []);
  return lang;
}

// Translates a dynamic key (e.g. a status) with a fallback to the raw value.
export function tKey(prefix: string, value: string): string {
  const k = `${prefix}${value}` as Key;
  return k in en ? t(k) : value.replace(/_/g, ' ');
}

const locale = (): string => (current === 'hi' ? 'hi-IN' : 'en-IN');

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(locale()).format(n);
}

export function formatMoney(paise: number): string {
  return new Intl.NumberFormat(locale(), { style: 'currency', currency: 'INR' }).format(paise / 100);
}

// "2026-11-29" or an ISO timestamp → "29 Nov 2026" / "29 नव॰ 2026".
export function formatDate(iso: string): string {
  const d = iso.length === 10 ? new Date(`${iso}T00:00:00Z`) : new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), {
    day: 'numeric', month: 'short', year: 'numeric', timeZone: iso.length === 10 ? 'UTC' : 'Asia/Kolkata',
  }).format(d);
}

// "2026-11" → "November 2026" / "नवंबर 2026".
export function formatPeriod(period: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m) return period;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  return new Intl.DateTimeFormat(locale(), { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
}

document.documentElement.lang = current;
