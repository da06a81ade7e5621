import { Router } from 'express'
import type { RequestHandler } from 'express'

import type { Env } from '../config/env'

// Verification and reset emails link to STOREFRONT_URL/verify/<token> and
// STOREFRONT_URL/reset-password?token=<token>. With no storefront configured, STOREFRONT_URL is
// this server: these two minimal pages complete the step by calling the API from the browser.
// The pages are static (the token is read from the address in the browser, never written into
// the HTML), so there is nothing to inject.

const page = (title: string, body: string, script: string): string => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}
input,button{font:inherit;padding:.4rem;margin:.25rem 0;width:100%;box-sizing:border-box}</style></head>
<body><h1>${title}</h1>${body}<p id="result" role="status"></p>
<script>${script}</script></body></html>
`

const SHOW = `function show(text){document.getElementById('result').textContent=text}
function answer(res){return res.json().then(function(body){return {ok:res.ok,message:(body.errors&&body.errors[0]&&body.errors[0].message)||body.message||''}})}`

const VERIFY = page(
  'Verify your email',
  '<p>Verifying…</p>',
  `${SHOW}
var token=decodeURIComponent(location.pathname.split('/').pop()||'');
fetch('/api/users/verify/'+encodeURIComponent(token),{method:'POST'}).then(answer).then(function(r){
show(r.ok?'Your email is verified: you can log in now.':'This link did not work: '+r.message)}).catch(function(){show('The store could not be reached.')})`,
)

const RESET = page(
  'Choose a new password',
  '<form id="reset"><label>New password <input id="password" type="password" autocomplete="new-password" required minlength="8"></label><button>Save</button></form>',
  `${SHOW}
var token=new URLSearchParams(location.search).get('token')||'';
document.getElementById('reset').addEventListener('submit',function(event){event.preventDefault();
fetch('/api/users/reset-password',{method:'POST',headers:{'Content-Type':'application/json'},
body:JSON.stringify({token:token,password:document.getElementById('password').value})}).then(answer).then(function(r){
show(r.ok?'Your password is changed: you can log in now.':'This link did not work: '+r.message)}).catch(function(){show('The store could not be reached.')})})`,
)

const send =
  (html: string): RequestHandler =>
  (_req, res) => {
    res.type('html').set('Cache-Control', 'no-store').set('Referrer-Policy', 'no-referrer').send(html)
  }

/** The two pages, served only while no storefront is configured (STOREFRONT_URL is this server). */
export function accountPages(settings: Pick<Env, 'SERVER_URL' | 'STOREFRONT_URL'>): RequestHandler {
  const router = Router()
  if (settings.STOREFRONT_URL !== settings.SERVER_URL) return router
  router.get('/verify/:token', send(VERIFY))
  router.get('/reset-password', send(RESET))
  return router
}
