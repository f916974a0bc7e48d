// The real better-auth (1.7.25) with the real api-key plugin (1.7.5), run
// against the test's Postgres, so that the .t suites can check the module
// against the implementation it re-implements. Used through
// t/lib/Athena/Compat.pm; installed by scripts/compat-deps.sh.
//
//   node t/compat/better-auth.mjs <command> ['<JSON arguments>']
//
// Environment: ATHENA_PG (libpq keyword string, "host=... port=... user=...
// dbname=..."), BETTER_AUTH_SECRET; ATHENA_COMPAT_JWT, when set, turns on
// the jwt plugin with the JSON options it holds ("{}": the defaults). It never migrates: the module's sql/
// migrations made the schema, and this must work on exactly that schema.
//
// Commands; each prints one JSON line on stdout and exits 0:
//   create-key {userId, ...body}   auth.api.createApiKey({ body }) as a
//                                  server call (may set permissions,
//                                  remaining, refill*, rateLimit*)
//   verify-key {key, permissions?, configId?}
//                                  auth.api.verifyApiKey({ body })
//   verify-jwt {token}             auth.api.verifyJWT({ body }): {payload}
//                                  or {payload: null} (jwt plugin on)
//   serve {port, workers?}         a better-auth server (its own node http
//                                  server, better-auth/node's handler) on
//                                  127.0.0.1:port, in one process or in
//                                  workers cluster processes sharing the
//                                  port; prints {listening: port} and runs
//                                  until it is killed (bench/)
//   http {method, path, headers?, body?}
//                                  auth.handler() on http://localhost:3000
//                                  + path; body: an object is sent as JSON,
//                                  a string as is. Prints {status, headers,
//                                  body} with body as text. bearer() is on,
//                                  so "Authorization: Bearer <token>" works.
// A server call that better-auth refuses (an APIError) prints
// {"error": {"status": <HTTP status>, "message", "code"}}, still exit 0.
// Anything else (bad usage, no database) goes to stderr with exit 1.

import cluster from 'node:cluster';
import http from 'node:http';
import pg from 'pg';
import { betterAuth } from 'better-auth';
import { admin, bearer, jwt, organization } from 'better-auth/plugins';
import { apiKey } from '@better-auth/api-key';
import { toNodeHandler } from 'better-auth/node';

// "host=127.0.0.1 port=5432 user=postgres dbname=athena" → pg's fields.
// Values may be single-quoted with \' and \\ escapes, as libpq allows.
function parseConninfo(s) {
    const out = {};
    const re = /\s*([A-Za-z_]+)\s*=\s*('((?:\\.|[^'\\])*)'|\S+)/gy;
    let m, end = 0;
    while ((m = re.exec(s)) !== null) {
        out[m[1]] = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2];
        end = re.lastIndex;
    }
    if (s.slice(end).trim() !== '') throw new Error(`bad ATHENA_PG: ${s}`);
    return {
        host: out.host ?? out.hostaddr,
        port: out.port ? Number(out.port) : undefined,
        user: out.user,
        password: out.password,
        database: out.dbname,
    };
}

function need(name) {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set`);
    return v;
}

function makeAuth() {
    const pool = new pg.Pool({
        ...parseConninfo(need('ATHENA_PG')),
        max: 2,
        // lets node exit once the last query (even a fire-and-forget one
        // of the plugin, such as its expired-key sweep) is done
        allowExitOnIdle: true,
    });
    return betterAuth({
        database: pool,
        secret: need('BETTER_AUTH_SECRET'),
        baseURL: 'http://localhost:3000',
        basePath: '/api/auth',
        emailAndPassword: { enabled: true },
        telemetry: { enabled: false },
        // better-auth's own per-IP limiter keeps its counts in this short
        // process's memory: meaningless here, so off (the api-key plugin's
        // per-key limit lives in the row and still applies)
        rateLimit: { enabled: false },
        plugins: [
            admin(),
            organization(),
            bearer(),
            apiKey({ enableSessionForAPIKeys: true, enableMetadata: true }),
            ...(process.env.ATHENA_COMPAT_JWT
                ? [jwt(JSON.parse(process.env.ATHENA_COMPAT_JWT))] : []),
        ],
    });
}

// An APIError (better-call) carries its HTTP status (statusCode; its
// "status" is sometimes the name, "UNAUTHORIZED") and {message, code}
function asError(e) {
    if (e && typeof e === 'object' && typeof e.statusCode === 'number' && e.body) {
        return { error: { status: e.statusCode, ...e.body } };
    }
    return null;
}

async function httpCall(auth, { method = 'GET', path, headers = {}, body }) {
    if (!path) throw new Error('http needs a path');
    const h = new Headers(headers);
    let payload;
    if (body !== undefined && body !== null) {
        if (typeof body === 'string') {
            payload = body;
        } else {
            payload = JSON.stringify(body);
            if (!h.has('content-type')) h.set('content-type', 'application/json');
        }
    }
    const res = await auth.handler(new Request('http://localhost:3000' + path,
                                               { method, headers: h, body: payload }));
    const outHeaders = Object.fromEntries(res.headers);
    const cookies = res.headers.getSetCookie();
    if (cookies.length) outHeaders['set-cookie'] = cookies;
    return { status: res.status, headers: outHeaders, body: await res.text() };
}

function serve(auth, { port, workers = 1 }) {
    if (!port) throw new Error('serve needs a port');
    if (workers > 1 && cluster.isPrimary) {
        // the workers run this script again; the primary only waits
        let up = 0;
        for (let i = 0; i < workers; i++) {
            cluster.fork().on('listening', () => {
                if (++up === workers) {
                    process.stdout.write(JSON.stringify({ listening: port }) + '\n');
                }
            });
        }
        process.on('SIGTERM', () => {
            for (const w of Object.values(cluster.workers)) w.kill();
            process.exit(0);
        });
        return new Promise(() => {});
    }
    const server = http.createServer(toNodeHandler(auth));
    return new Promise((resolve, reject) => {
        server.on('error', reject);
        server.listen(port, '127.0.0.1', () => {
            if (workers <= 1) {
                process.stdout.write(JSON.stringify({ listening: port }) + '\n');
            }
        });
    });
}

const commands = {
    'create-key': (auth, { userId, ...body }) =>
        auth.api.createApiKey({ body: { userId, ...body } }),
    'verify-key': (auth, body) => auth.api.verifyApiKey({ body }),
    'verify-jwt': (auth, body) => auth.api.verifyJWT({ body }),
    http: httpCall,
    serve,
};

async function main() {
    const [cmd, json] = process.argv.slice(2);
    const run = commands[cmd];
    if (!run) throw new Error(`usage: better-auth.mjs <${Object.keys(commands).join('|')}> '<JSON>'`);
    const args = json ? JSON.parse(json) : {};
    const auth = makeAuth();
    let out;
    try {
        out = await run(auth, args);
    } catch (e) {
        out = asError(e);
        if (!out) throw e;
    }
    process.stdout.write(JSON.stringify(out ?? null) + '\n');
}

main().catch((e) => {
    process.stderr.write(`better-auth.mjs: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
});
