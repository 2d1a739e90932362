// The browsable API's stylesheet and script, served from this server (no CDN): the pages use no
// inline style or script, so a Content-Security-Policy of 'self' admits them.
import type { RequestHandler } from 'express';

const stylesheet = `
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; background: #f5f6f8; }
a { color: #1a5fb4; }
.navbar { display: flex; justify-content: space-between; align-items: center; padding: 0.7rem 1.5rem; background: #2c3e50; color: #fff; }
.navbar a { color: #fff; text-decoration: none; }
.navbar .brand { font-weight: 600; font-size: 1.1rem; }
.navbar .user { display: flex; gap: 1rem; align-items: center; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
.breadcrumb { list-style: none; display: flex; flex-wrap: wrap; gap: 0.4rem; padding: 0.5rem 0.8rem; margin: 0 0 1rem; background: #e9ecef; border-radius: 4px; }
.breadcrumb li + li::before { content: "›"; margin-right: 0.4rem; color: #777; }
.toolbar { display: flex; flex-wrap: wrap; gap: 0.5rem; justify-content: flex-end; align-items: center; }
.toolbar form { margin: 0; }
.btn { display: inline-block; padding: 0.35rem 0.9rem; border: 1px solid #1a5fb4; border-radius: 4px; background: #1a5fb4; color: #fff; font: inherit; text-decoration: none; cursor: pointer; }
.btn.secondary { background: #fff; color: #1a5fb4; }
.btn.danger { background: #c01c28; border-color: #c01c28; }
h1 { margin: 0.8rem 0 0.3rem; font-weight: 500; }
.description { white-space: pre-line; color: #555; }
pre { background: #fff; border: 1px solid #dde1e6; border-radius: 4px; padding: 0.8rem 1rem; overflow-x: auto; font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-word; }
pre .meta { color: #555; }
.pagination { display: flex; gap: 0.5rem; justify-content: flex-end; }
.pagination .disabled { color: #999; padding: 0.35rem 0.9rem; border: 1px solid #ccc; border-radius: 4px; }
.forms { display: grid; gap: 1rem; margin-top: 1.5rem; }
fieldset { background: #fff; border: 1px solid #dde1e6; border-radius: 4px; padding: 1rem 1.2rem; margin: 0; }
legend { font-weight: 600; padding: 0 0.3rem; }
.field { display: grid; grid-template-columns: 10rem 1fr; gap: 0.3rem 1rem; margin-bottom: 0.8rem; align-items: start; }
.field label { padding-top: 0.35rem; font-weight: 500; }
input[type=text], input[type=password], input[type=email], input[type=number], input[type=datetime-local], textarea, select { width: 100%; padding: 0.35rem 0.5rem; border: 1px solid #bbb; border-radius: 4px; font: inherit; }
textarea { min-height: 6rem; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.errors { grid-column: 2; color: #c01c28; margin: 0; padding-left: 1.1rem; }
.form-actions { display: flex; gap: 0.5rem; justify-content: flex-end; }
.alert { padding: 0.6rem 0.9rem; border-radius: 4px; background: #fbe9eb; color: #a51d2d; border: 1px solid #f0c1c6; }
.login { max-width: 24rem; margin: 3rem auto; }
.login .field { grid-template-columns: 1fr; }
`;

/**
 * Sends the forms a browser cannot send by itself (PUT, PATCH, DELETE, OPTIONS, the raw body)
 * with fetch, the `csrftoken` cookie in X-CSRFToken, and shows the page that comes back. The
 * HTML form's POST needs none of it: it is an ordinary form submission.
 */
const script = `(function () {
  'use strict';
  function csrfToken() {
    var match = /(?:^|;\\s*)csrftoken=([^;]*)/.exec(document.cookie);
    return match ? decodeURIComponent(match[1]) : '';
  }
  function show(response) {
    return response.text().then(function (text) {
      var page = new DOMParser().parseFromString(text, 'text/html');
      document.replaceChild(document.adoptNode(page.documentElement), document.documentElement);
    });
  }
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var method = (submitter && submitter.getAttribute('data-method')) || form.getAttribute('data-method');
    if (!method) return;
    event.preventDefault();
    if (method === 'DELETE' && !window.confirm('Are you sure you want to delete this?')) return;
    var headers = { Accept: 'text/html', 'X-CSRFToken': csrfToken() };
    var body;
    var content = form.querySelector('[name="_content"]');
    if (content) {
      headers['Content-Type'] = form.querySelector('[name="_content_type"]').value;
      body = content.value;
    } else if (method !== 'DELETE' && method !== 'OPTIONS') {
      body = new FormData(form);
    }
    fetch(form.action, { method: method, headers: headers, body: body, credentials: 'same-origin' }).then(show);
  });
})();
`;

const files: Record<string, { type: string; text: string }> = {
  '/browsable-api.css': { type: 'text/css; charset=utf-8', text: stylesheet },
  '/browsable-api.js': { type: 'text/javascript; charset=utf-8', text: script },
};

/** Serves the two files under the static path. */
export const browsableApiAssets: RequestHandler = (req, res, next) => {
  const file = files[req.path];
  if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
  res.setHeader('Content-Type', file.type);
  res.setHeader('Cache-Control', 'public, max-age=3600');
  res.end(file.text);
};
