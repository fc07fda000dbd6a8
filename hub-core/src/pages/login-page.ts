import { h, layout, problemCard } from './html.js';

export interface LoginButton {
  id: string;
  label: string;
  loginUrl: string;
}

export interface LoginView {
  next: string;
  buttons: LoginButton[];
  local?: { xsrf: string; signup: boolean; username?: string; error?: string };
  /** Why no sign-in method works, when none does. */
  noMethod?: string;
  message?: string;
  /** The owner's first-run link, shown only on loopback while no admin account exists. */
  setupUrl?: string;
}

/** The sign-in page: one button per provider, and the password form when local accounts are on. */
export function loginPage(v: LoginView): string {
  const next = v.next ? `?next=${encodeURIComponent(v.next)}` : '';
  const buttons = v.buttons
    .map(
      (b) =>
        `<p><a class="button" id="login-${h(b.id)}" href="${h(b.loginUrl + next)}">Sign in with ${h(b.label)}</a></p>`,
    )
    .join('');
  const local = v.local
    ? `<form method="post" action="/hub/login${h(next)}" id="local-login" class="card">
<h2>Sign in with a TeamHub account</h2>
${v.local.error ? `<p class="message" role="alert" id="local-error"><strong>${h(v.local.error)}</strong></p>` : ''}
<input type="hidden" name="_xsrf" value="${h(v.local.xsrf)}">
<p><label>User name<br><input name="username" id="username" autocomplete="username" required value="${h(v.local.username ?? '')}"></label></p>
<p><label>Password<br><input name="password" id="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit" id="login-local">Sign in</button></p>
${v.local.signup ? '<p class="muted">No account yet? <a id="signup-link" href="/hub/signup">Ask for one</a> (an admin approves it).</p>' : ''}
</form>`
    : '';
  const notice = v.noMethod ? problemCard({ title: 'No sign-in method is ready', message: v.noMethod }) : '';
  const setup = v.setupUrl
    ? `<div class="card"><p>This hub has no admin account yet. <a id="setup-link" href="${h(v.setupUrl)}">Create the owner's admin account</a> (only from this computer).</p></div>`
    : '';
  const message = v.message ? `<div class="card"><p id="login-message">${h(v.message)}</p></div>` : '';
  return layout(
    'Sign in',
    `${message}<div class="card"><h1>Sign in to TeamHub</h1>${buttons}</div>${local}${setup}${notice}`,
  );
}

/** A small form page (sign-up, invite, first run) with the same look. */
export function formPage(o: {
  title: string;
  intro: string;
  action: string;
  xsrf: string;
  submit: string;
  error?: string;
  username?: string;
  fixedUsername?: boolean;
}): string {
  const error = o.error
    ? `<p class="message" role="alert" id="form-error"><strong>${h(o.error)}</strong></p>`
    : '';
  return layout(
    o.title,
    `<div class="card"><h1>${h(o.title)}</h1><p>${h(o.intro)}</p>${error}
<form method="post" action="${h(o.action)}">
<input type="hidden" name="_xsrf" value="${h(o.xsrf)}">
<p><label>User name<br><input name="username" id="username" autocomplete="username" required value="${h(o.username ?? '')}"${o.fixedUsername ? ' readonly' : ''}></label></p>
<p><label>Password (at least 8 characters)<br><input name="password" id="password" type="password" autocomplete="new-password" required minlength="8"></label></p>
<p><label>Password again<br><input name="password2" id="password2" type="password" autocomplete="new-password" required minlength="8"></label></p>
<p><button type="submit" id="submit">${h(o.submit)}</button></p>
</form></div>`,
  );
}

/** GitHub device flow: the code to type at GitHub, and a page that waits for it (polling the hub). */
export function devicePage(o: {
  userCode: string;
  verificationUri: string;
  intervalSeconds: number;
  minutesLeft: number;
}): string {
  return layout(
    'Sign in with a GitHub code',
    `<div class="card"><h1>Sign in with GitHub using a code</h1>
<p>1. Open <a id="device-verify" href="${h(o.verificationUri)}" target="_blank" rel="noopener noreferrer">${h(o.verificationUri)}</a> (on any device).</p>
<p>2. Enter this code there: <strong id="device-code" style="font-size:1.6em;letter-spacing:.1em">${h(o.userCode)}</strong></p>
<p class="muted" id="device-status">Waiting for GitHub… This page moves on by itself once you have authorized TeamHub (the code is valid for about ${o.minutesLeft} minutes).</p>
<p><a href="/hub/device_login?new=1">Get a new code</a> · <a href="/hub/login">Other ways to sign in</a></p>
</div>
<script>
let wait = ${JSON.stringify(o.intervalSeconds)};
async function check() {
  try {
    const r = await fetch('/hub/device_login/check', { cache: 'no-store' });
    const s = await r.json();
    if (s.state === 'pending') { wait = s.interval || wait; setTimeout(check, wait * 1000); return; }
    window.location.href = '/hub/device_login/finish';
  } catch (e) {
    document.getElementById('device-status').textContent = 'Lost contact with the hub; reload to try again.';
  }
}
setTimeout(check, wait * 1000);
</script>`,
  );
}
