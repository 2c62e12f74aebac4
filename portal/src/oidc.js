// Sign-in with the stage's OIDC identity provider: the authorization code flow with PKCE
// (RFC 7636, S256) for a public client. Nothing here touches the page; signin.js drives it.
//
// settings (config.json's `oidc`): {authorizeUrl, tokenUrl, clientId, redirectUri, audience,
// scopes?, logoutUrl?}. The token kept is the one the API accepts: the first of the access
// token and the ID token whose `aud` names the API's audience (Cognito: the ID token, its `aud`
// the app client; a provider that issues access tokens for the API: the access token).

const PENDING_KEY = "etax.oidc"; // {state, nonce, verifier, next}: one sign-in under way

/** `bytes` random bytes as base64url (no padding): 32 bytes → 43 characters. */
function randomText(bytes = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function base64url(bytes) {
  let text = "";
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The S256 code challenge of a verifier: BASE64URL(SHA-256(ASCII(verifier))). */
export async function challengeOf(verifier) {
  return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
}

/** The URL that starts a sign-in; the verifier, state and nonce wait in sessionStorage. */
export async function authorizeUrl(settings, next) {
  const pending = { state: randomText(), nonce: randomText(), verifier: randomText(48), next };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(settings.authorizeUrl);
  url.search = new URLSearchParams({
    response_type: "code", client_id: settings.clientId, redirect_uri: settings.redirectUri,
    scope: settings.scopes || "openid", state: pending.state, nonce: pending.nonce,
    code_challenge: await challengeOf(pending.verifier), code_challenge_method: "S256",
  }).toString();
  return url.href;
}

export class SignInError extends Error {
  /** `key` is the text key that says what went wrong; `detail` what the provider said. */
  constructor(key, detail = "") {
    super(key);
    this.key = key;
    this.detail = detail;
  }
}

/** Is this page the provider's answer (a code, or an error)? */
export function isReturn(params) {
  return params.has("code") || params.has("error") || params.has("state");
}

function claimsOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const text = new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0)));
    const claims = JSON.parse(text);
    return claims && typeof claims === "object" ? claims : null;
  } catch {
    return null;
  }
}

const ROLES = ["taxpayer", "officer", "partner", "developer", "admin"];

/** The token for the API and what signIn keeps of it: its claims are read, not trusted (the
 * API's authorizer verifies the signature); they only say who the page shows as signed in. */
export function sessionFrom(answer, settings, nonce) {
  const idClaims = answer.id_token ? claimsOf(answer.id_token) : null;
  if (answer.id_token && (!idClaims || idClaims.nonce !== nonce)) {
    throw new SignInError("oidc_error_nonce");
  }
  const audiences = (claims) => [].concat(claims?.aud ?? []);
  const chosen = [answer.access_token, answer.id_token].filter(Boolean)
    .map((token) => ({ token, claims: claimsOf(token) }))
    .find(({ claims }) => claims && audiences(claims).includes(settings.audience));
  if (!chosen || typeof chosen.claims.sub !== "string" || typeof chosen.claims.exp !== "number") {
    throw new SignInError("oidc_error_token");
  }
  const { claims } = chosen;
  const role = claims.role ?? (claims["cognito:groups"] ?? []).find((g) => ROLES.includes(g));
  return {
    token: chosen.token, role: role ?? null, subject: claims.sub,
    tax_office: claims.tax_office ?? null,
    expires_in: claims.exp - Math.floor(Date.now() / 1000),
  };
}

/**
 * Finish a sign-in on the provider's return: the state must be the one this tab sent, the
 * code is exchanged with the verifier. Returns {session, next}; throws SignInError. The
 * pending verifier and state are gone afterwards whatever happens (each is used once).
 */
export async function finish(settings, params) {
  let pending = null;
  try {
    pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? "null");
  } catch {
    // a damaged entry is no sign-in under way
  }
  sessionStorage.removeItem(PENDING_KEY);
  if (!pending || !params.get("state") || params.get("state") !== pending.state) {
    throw new SignInError("oidc_error_state");
  }
  const error = params.get("error");
  if (error) {
    throw new SignInError(error === "access_denied" ? "oidc_error_denied" : "oidc_error_provider",
      (params.get("error_description") ?? error).slice(0, 200));
  }
  const code = params.get("code");
  if (!code) throw new SignInError("oidc_error_state");
  let response;
  try {
    response = await fetch(settings.tokenUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "authorization_code", code, redirect_uri: settings.redirectUri,
        client_id: settings.clientId, code_verifier: pending.verifier,
      }),
    });
  } catch {
    throw new SignInError("error_network");
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new SignInError("oidc_error_provider", String(answer.error ?? response.status));
  }
  // a refresh token, if the provider sends one, is not kept: a session ends with its token
  return { session: sessionFrom(answer, settings, pending.nonce), next: pending.next };
}

/** Where sign-out goes: the provider's logout URL (ending its session too), else null. */
export function logoutUrl(settings, home) {
  if (!settings?.logoutUrl) return null;
  const url = new URL(settings.logoutUrl);
  // Cognito reads client_id and logout_uri, OIDC RP-initiated logout post_logout_redirect_uri
  url.searchParams.set("client_id", settings.clientId);
  url.searchParams.set("logout_uri", home);
  url.searchParams.set("post_logout_redirect_uri", home);
  return url.href;
}
