/*
 * Unit tests of src/core, with vectors computed independently (Python's
 * hashlib and hmac) rather than by the code under test. Output is TAP, so
 * prove runs it beside the .t suites.
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/core/athena_access.h"
#include "../../src/core/athena_admin_role.h"
#include "../../src/core/athena_apikey.h"
#include "../../src/core/athena_arena.h"
#include "../../src/core/athena_b64url.h"
#include "../../src/core/athena_buf.h"
#include "../../src/core/athena_check.h"
#include "../../src/core/athena_crypto.h"
#include "../../src/core/athena_window.h"
#include "../../src/core/athena_gen.h"
#include "../../src/core/athena_json.h"
#include "../../src/core/athena_jwk.h"
#include "../../src/core/athena_jwt.h"
#include "../../src/core/athena_mime.h"
#include "../../src/core/athena_notice.h"
#include "../../src/core/athena_render.h"
#include "../../src/core/athena_resp.h"
#include "../../src/core/athena_scrypt.h"
#include "../../src/core/athena_text.h"
#include "../../src/core/athena_time.h"


static int  tests, failed;


static void
ok(int cond, const char *name)
{
    tests++;

    if (!cond) {
        failed++;
    }

    printf("%sok %d - %s\n", cond ? "" : "not ", tests, name);
}


/*
 * athena_sign() with one key, another, a long one and the first again,
 * and SHA-256 (whole, and a prefix and the rest) between them: the
 * thread's contexts serve both
 */

static void *
test_sign_run(void *arg)
{
    int            good;
    char           sig[ATHENA_SIG_LEN + 1], big[301];
    char           hex[ATHENA_SHA256_HEX + 1];
    unsigned char  md[32];
    const char  *k1 = "better-auth-secret-12345678901234567890";
    const char  *k2 = "another-secret";

    memset(big, 'k', 300);
    big[300] = '\0';

    good = athena_sign(k1, strlen(k1), "abc", 3, sig) == 0
           && strcmp(sig, "/Pf3XZeg+6fwAp8TPSr1beqjUOFkjxklEVI2bIlPYRc=") == 0;
    good = good && athena_sign(k2, strlen(k2), "abc", 3, sig) == 0
           && strcmp(sig, "CbW8IjytyeKXKDQTyjEUNBHq1zaszbOluCYT5wZ3OlA=") == 0;
    athena_sha256_hex("abc", 3, hex);
    good = good && strcmp(hex, "ba7816bf8f01cfea414140de5dae2223"
                               "b00361a396177a9cb410ff61f20015ad") == 0;
    good = good && athena_sign(big, 300, "abc", 3, sig) == 0
           && strcmp(sig, "s6ONRnGXid/v7TS+ECGsOUMcUWOmhY4aY+t0EyeNlDU=") == 0;
    good = good && athena_sha256_prefixed("ab", "c", 1, md) == 0;
    athena_hex(md, sizeof(md), hex);
    good = good && strcmp(hex, "ba7816bf8f01cfea414140de5dae2223"
                               "b00361a396177a9cb410ff61f20015ad") == 0;
    good = good && athena_sign(k1, strlen(k1), "abc", 3, sig) == 0
           && strcmp(sig, "/Pf3XZeg+6fwAp8TPSr1beqjUOFkjxklEVI2bIlPYRc=") == 0;

    *(int *) arg = good;

    return NULL;
}


/* the vectors are Python's hmac over SHA-256, in base64 */

static int
test_sign_keys(void)
{
    int        here, there;
    pthread_t  t;

    there = 0;
    test_sign_run(&here);

    if (pthread_create(&t, NULL, test_sign_run, &there) != 0) {
        return 0;
    }

    pthread_join(t, NULL);

    return here && there;
}


static void
test_crypto(void)
{
    char         id[ATHENA_ID_LEN + 1], hex[ATHENA_SHA256_HEX + 1];
    char         sig[ATHENA_SIG_LEN + 1], hash[ATHENA_HASH_LEN + 1];
    size_t       i;
    int          alnum;
    const char  *secret = "better-auth-secret-12345678901234567890";
    const char  *stored =
        "00112233445566778899aabbccddeeff:267a33c2ae63f1c2d542f84d50b7d87c"
        "68900c8b9475f6a47ade71cf44b234822e0a34af1d226572b5caf52809319d4c"
        "486f3d209cc2fd022fb53bb4eaeb35b1";

    athena_sha256_hex("abc", 3, hex);
    ok(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223"
                   "b00361a396177a9cb410ff61f20015ad") == 0, "sha256 of abc");

    athena_sign(secret, strlen(secret), "abc", 3, sig);
    ok(strcmp(sig, "/Pf3XZeg+6fwAp8TPSr1beqjUOFkjxklEVI2bIlPYRc=") == 0,
       "hmac signature matches Python's");

    ok(athena_verify_signature(secret, strlen(secret), "abc", 3,
                               "_Pf3XZeg-6fwAp8TPSr1beqjUOFkjxklEVI2bIlPYRc",
                               43),
       "url-safe unpadded signature verifies");
    ok(!athena_verify_signature(secret, strlen(secret), "abd", 3, sig, 44),
       "signature of another value fails");

    ok(test_sign_keys(), "a thread's keyed HMAC follows a change of key,"
       " a key too long for it, and another thread; its SHA-256 between");

    athena_random_id(id);
    alnum = strlen(id) == 32;
    for (i = 0; i < strlen(id); i++) {
        alnum = alnum && strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
                                "opqrstuvwxyz0123456789", id[i]) != NULL;
    }
    ok(alnum, "ids are 32 alphanumerics");

    ok(athena_password_verify("correct horse battery", 21, stored),
       "a hash made by Python's scrypt verifies");
    ok(!athena_password_verify("correct horse batterY", 21, stored),
       "a wrong password does not");
    ok(!athena_password_verify("x", 1, "abc:def"), "a malformed hash fails");

    athena_password_hash("pw-123456", 9, hash);
    ok(strlen(hash) == ATHENA_HASH_LEN && hash[32] == ':'
       && athena_password_verify("pw-123456", 9, hash),
       "a new hash has better-auth's shape and verifies");
}


/*
 * Sliding windows: five a second, at the start of a window; then the
 * previous window's five slide out as the next one goes on
 */

static void
test_window(void)
{
    int                      i, passed;
    athena_window_slot_t     slots[4];
    athena_window_count_t    c[2];
    athena_window_result_t   r;
    athena_window_limit_t    limits[2] = { { 5, 1000 }, { 8, 60000 } };

    passed = 0;

    for (i = 1; i <= 6; i++) {
        c[0].cur = i;
        c[0].prev = 0;
        athena_window_judge(limits, 1, c, 1000000, &r);
        passed += r.allowed;
    }

    ok(passed == 5, "five pass at once, the sixth does not");
    ok(r.limit == 5 && r.remaining == 0 && r.retry == 1200
       && r.reset == 2000,
       "the refusal says: 0 left, retry in 1.2 s (a fifth of the next"
       " window), all back in 2 s");

    c[0].cur = 1;
    c[0].prev = 5;
    athena_window_judge(limits, 1, c, 1001199, &r);
    ok(!r.allowed, "still refused 1,199 ms later");
    athena_window_judge(limits, 1, c, 1001200, &r);
    ok(r.allowed && r.remaining == 0, "one more at 1,200 ms");

    athena_window_judge(limits, 1, c, 1000100 + 1000, &r);
    ok(!r.allowed && r.retry == 100,
       "100 ms into a window after a full one: wait until a fifth of it"
       " is gone");

    memset(slots, 0, sizeof(slots));
    passed = 0;

    for (i = 0; i < 20; i++) {
        athena_window_table(slots, 4, "admin-1", limits, 2,
                            1000000 + i * 250, &r);
        passed += r.allowed;
    }

    ok(passed == 8, "two limits: the longer one stops four a second at 8");
    ok(r.limit == 8 && r.remaining == 0 && r.retry == 22750,
       "and is the one the answer names, with its wait");

    memset(slots, 0, sizeof(slots));
    passed = 0;

    for (i = 0; i < 7; i++) {
        athena_window_table(slots, 4, "admin-1", limits, 1, 5000, &r);
        passed += r.allowed;
    }

    athena_window_table(slots, 4, "admin-2", limits, 1, 5000, &r);
    ok(passed == 5, "the shared table counts a key as Redis would");
    ok(r.allowed || slots[0].key + slots[1].key + slots[2].key
                    + slots[3].key != 0,
       "another key has a slot of its own, or shares a full one");
    athena_window_table(slots, 4, "admin-1", limits, 1, 7000, &r);
    ok(r.allowed && r.remaining == 4,
       "two windows on, the key's counts have slid out");
}


/* what the writer wrote, against expected text */

static int
gen_is(athena_gen_t *g, const char *want, size_t wlen)
{
    int              same;
    char            *text;
    size_t           len;
    athena_arena_t  *a;

    a = athena_arena_create(1024);
    text = athena_gen_finish(a, g, &len);

    same = text != NULL && len == wlen && memcmp(text, want, len) == 0;

    athena_arena_destroy(a);

    return same;
}


/* {"k": s} against Python's json.dumps(separators=(",", ":")) */

static int
gen_text_is(const char *s, size_t len, const char *want, size_t wlen)
{
    athena_gen_t  *g;

    g = athena_gen_new();
    athena_gen_map_open(g);
    athena_gen_key(g, "k");
    athena_gen_text(g, s, len);
    athena_gen_map_close(g);

    return gen_is(g, want, wlen);
}


#define GEN_IS(s, len, want)  gen_text_is(s, len, want, sizeof(want) - 1)


static void
test_json_text(void)
{
    int            c;
    char           ascii[128], big[2048], want[2100];
    athena_gen_t  *g;

    for (c = 1; c < 128; c++) {
        ascii[c - 1] = (char) c;
    }

    /* json.dumps({"k": "".join(map(chr, range(1, 128)))}, ...) */
    ok(GEN_IS(ascii, 127,
              "{\"k\":\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
              "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012"
              "\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a"
              "\\u001b\\u001c\\u001d\\u001e\\u001f !\\\"#$%&'()*+,-./"
              "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`"
              "abcdefghijklmnopqrstuvwxyz{|}~\x7f\"}"),
       "every ASCII character is written as JSON.stringify writes it");

    ok(GEN_IS("a\0b", 3, "{\"k\":\"a\\u0000b\"}")
       && GEN_IS("\xc3\xa9t\xc3\xa9", 5, "{\"k\":\"\xc3\xa9t\xc3\xa9\"}")
       && GEN_IS("", 0, "{\"k\":\"\"}"),
       "NUL escaped, UTF-8 as it is, an empty string");

    ok(GEN_IS("a\xff" "b\xed\xa0\x80\xc3", 7,
              "{\"k\":\"a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
              "\xef\xbf\xbd\"}"),
       "bytes that are no UTF-8 (a surrogate, a cut sequence) are U+FFFD");

    /* 2,047 x and a newline: first without the newline, then with it */
    memset(big, 'x', sizeof(big));
    big[sizeof(big) - 1] = '\n';
    memcpy(want, "{\"k\":\"", 6);
    memset(want + 6, 'x', sizeof(big) - 1);
    memcpy(want + 6 + sizeof(big) - 1, "\"}", 2);

    c = gen_text_is(big, sizeof(big) - 1, want, 6 + sizeof(big) - 1 + 2);

    memcpy(want + 6 + sizeof(big) - 1, "\\n\"}", 4);

    ok(c && gen_text_is(big, sizeof(big), want, 6 + sizeof(big) - 1 + 4),
       "a long string past the writer's first buffer, plain or escaped");

    /* Python: json.dumps(the same, separators=(",", ":")) */
    g = athena_gen_new();
    athena_gen_map_open(g);
    athena_gen_key(g, "a");
    athena_gen_array_open(g);
    athena_gen_int(g, 1);
    athena_gen_bool(g, 1);
    athena_gen_bool(g, 0);
    athena_gen_null(g);
    athena_gen_map_open(g);
    athena_gen_map_close(g);
    athena_gen_array_open(g);
    athena_gen_array_close(g);
    athena_gen_int(g, INT64_MIN);
    athena_gen_cstr(g, "x\xc3\xa9y");
    athena_gen_array_close(g);
    athena_gen_key(g, "b\"\\");
    athena_gen_map_open(g);
    athena_gen_key(g, "c");
    athena_gen_array_open(g);
    athena_gen_array_open(g);
    athena_gen_array_close(g);
    athena_gen_map_open(g);
    athena_gen_map_close(g);
    athena_gen_array_close(g);
    athena_gen_map_close(g);
    athena_gen_map_close(g);

    ok(gen_is(g, "{\"a\":[1,true,false,null,{},[],-9223372036854775808,"
                 "\"x\xc3\xa9y\"],\"b\\\"\\\\\":{\"c\":[[],{}]}}", 81),
       "separators, nesting, every kind of value, an escaped name");
}


static int
test_json_numbers(athena_arena_t *a)
{
    int             good;
    double          want;
    size_t          i;
    athena_json_t  *v;
    const char     *text = "[0,-0,7,-42,123456789012345,-999999999999999,"
                           "1234567890123456789,1.5,1e3,-2.5e-3,0.1]";

    if (athena_json_parse(a, text, strlen(text), 2, &v) != ATHENA_JSON_OK
        || v->n != 11)
    {
        return 0;
    }

    good = 1;

    for (i = 0; i < v->n; i++) {
        want = strtod(v->items[i]->string, NULL);
        good = good && memcmp(&want, &v->items[i]->number, sizeof(want)) == 0;
    }

    return good;
}


static void
test_json(void)
{
    athena_arena_t  *a;
    athena_json_t   *v;
    const char      *surrogates =
        "[\"a\\ud800b\\udc00\\ud83d\\ude00\\\\ud800\"]";

    a = athena_arena_create(1024);

    ok(athena_json_parse(a, "{\"a\":[1,{\"b\":null}],\"c\":\"x\"}", 28, 8,
                         &v) == ATHENA_JSON_OK
       && v->type == ATHENA_JSON_OBJECT && v->n == 2
       && athena_json_get(v, "c")->type == ATHENA_JSON_STRING,
       "parses an object in order");

    ok(athena_json_parse(a, "[[[[1]]]]", 9, 3, &v) == ATHENA_JSON_DEPTH,
       "refuses nesting past the limit");
    ok(athena_json_parse(a, "[[[1]]]", 7, 3, &v) == ATHENA_JSON_OK,
       "accepts nesting at the limit");
    ok(athena_json_parse(a, "{\"a\":", 5, 8, &v) == ATHENA_JSON_SYNTAX,
       "refuses truncated JSON");
    ok(athena_json_parse(a, "\"\xff\"", 3, 8, &v) == ATHENA_JSON_UTF8,
       "refuses invalid UTF-8 in a string");
    ok(athena_json_parse(a, "{\"\xc0\xba\":1}", 9, 8, &v)
       == ATHENA_JSON_UTF8,
       "refuses an overlong form in a name, which yajl lets through");
    ok(athena_json_parse(a, "[\"\xed\xa0\x80\"]", 7, 8, &v)
       == ATHENA_JSON_UTF8,
       "refuses a UTF-16 surrogate written as UTF-8 in a string");
    ok(athena_json_parse(a, "{} x", 4, 8, &v) == ATHENA_JSON_SYNTAX,
       "refuses trailing garbage");
    ok(athena_json_parse(a, "{\"a\":1}\"x", 9, 8, &v) == ATHENA_JSON_SYNTAX
       && athena_json_parse(a, "[1]\"", 4, 8, &v) == ATHENA_JSON_SYNTAX
       && athena_json_parse(a, "[\"a\\\"\\\\\"]", 9, 8, &v)
          == ATHENA_JSON_OK
       && strcmp(v->items[0]->string, "a\"\\") == 0,
       "refuses an unterminated string after the value, which yajl lets"
       " through");
    ok(athena_json_parse(a, surrogates, strlen(surrogates), 8, &v)
       == ATHENA_JSON_OK
       && strcmp(v->items[0]->string,
                 "a\xef\xbf\xbd" "b\xef\xbf\xbd" "\xf0\x9f\x98\x80"
                 "\\ud800") == 0,
       "lone surrogates read as U+FFFD, pairs and escaped text kept");
    ok(athena_json_parse(a, "[\"a\\\\b\\ud800\"]", 14, 8, &v)
       == ATHENA_JSON_OK
       && strcmp(v->items[0]->string, "a\\b\xef\xbf\xbd") == 0,
       "a lone surrogate after other escapes is mended too");
    ok(test_json_numbers(a), "numbers read as strtod() reads them, -0 and"
       " past 15 digits included");
    ok(athena_json_parse(a, "\xef\xbb\xbf{}", 5, 8, &v) == ATHENA_JSON_OK,
       "a byte order mark is skipped");
    ok(athena_json_parse(a, "{\"a\":1,\"a\":2}", 13, 8, &v) == ATHENA_JSON_OK
       && strcmp(athena_json_get(v, "a")->string, "2") == 0,
       "the last of repeated keys wins, as in JSON.parse");

    athena_arena_destroy(a);
}


static void
test_text(void)
{
    char            *s;
    size_t           n;
    athena_arena_t  *a;
    char             iso[ATHENA_ISO_LEN + 1];

    a = athena_arena_create(1024);

    ok(athena_email_valid("a.b+c@example.co"), "plain email is valid");
    ok(!athena_email_valid(".a@example.com"), "leading dot is invalid");
    ok(!athena_email_valid("a..b@example.com"), "double dot is invalid");
    ok(!athena_email_valid("a@example"), "no TLD is invalid");
    ok(!athena_email_valid("a@example.c"), "one-letter TLD is invalid");
    ok(!athena_email_valid(" a@example.com"), "a space is invalid");
    ok(!athena_email_valid("a@-x.com"), "a label starting with - is invalid");

    ok(athena_utf16_len("a\xc3\xa9\xf0\x9f\x98\x80", 7) == 4,
       "an emoji counts as two UTF-16 units");
    ok(athena_utf8_valid("\xc3\xa9", 2) && !athena_utf8_valid("\xc3", 1),
       "UTF-8 check");

    s = athena_utf8_scrub(a, "a\xff\xc3(\xe0\x80\xf0\x9f\x98", 9, &n);
    ok(s && n == 17 && memcmp(s, "a\xef\xbf\xbd\xef\xbf\xbd(\xef\xbf\xbd"
                              "\xef\xbf\xbd\xef\xbf\xbd", 17) == 0,
       "scrub: one U+FFFD per maximal ill-formed part, as WHATWG decodes");
    s = athena_utf8_scrub(a, "\xc3\xa9\xf0\x9f\x98\x80", 6, &n);
    ok(s && n == 6 && memcmp(s, "\xc3\xa9\xf0\x9f\x98\x80", 6) == 0,
       "scrub keeps valid UTF-8");
    s = athena_latin1_utf8(a, "caf\xe9", 4);
    ok(s && strcmp(s, "caf\xc3\xa9") == 0, "a Latin-1 header as Node reads it");

    s = athena_nfkc(a, "\xef\xbc\xa1", 3, &n);
    ok(s && n == 1 && s[0] == 'A', "NFKC folds a fullwidth A");

    s = athena_email_normalize(a, "Foo@Example.COM", 15);
    ok(s && strcmp(s, "foo@example.com") == 0, "emails are lowercased");

    s = athena_uri_encode(a, "a+b/c=", 6);
    ok(strcmp(s, "a%2Bb%2Fc%3D") == 0, "encodeURIComponent");
    s = athena_uri_encode(a, "a\0b", 3);
    ok(strcmp(s, "a%00b") == 0, "a NUL byte is encoded, not kept");
    s = athena_uri_decode(a, "a%2Bb%2fc%3D%zz%", 16, &n);
    ok(strcmp(s, "a+b/c=%zz%") == 0, "decoding keeps bad escapes");

    athena_time_iso(1700000000123LL, iso);
    ok(strcmp(iso, "2023-11-14T22:13:20.123Z") == 0, "ISO time");

    athena_arena_destroy(a);
}


static void
test_check(void)
{
    static const char *const  aliases[] = {
        "fromName", "from_name", "fromAddress", "from_address", NULL
    };

    static const char  mail_body[] =
        "{\"from_name\":\"A\",\"fromAddress\":\"x\","
        "\"from_address\":\"y\",\"subject\":\"a\\r\\nb\"}";

    athena_json_t         *v;
    athena_arena_t        *a;
    athena_check_t         chk;
    const athena_json_t   *s;

    a = athena_arena_create(1024);

    athena_json_parse(a, "{\"name\":7,\"flag\":\"x\",\"ok\":\"y\"}", 30, 8,
                      &v);
    athena_check_init(&chk, a, v, "body");

    ok(athena_check_object(&chk), "an object passes the object check");
    ok(athena_check_string(&chk, "name", 1) == NULL, "a number is no string");
    s = athena_check_string(&chk, "ok", 1);
    ok(s && strcmp(s->string, "y") == 0, "a string is returned");
    ok(athena_check_string(&chk, "image", 0) == NULL && chk.message,
       "an absent optional field adds no issue of its own");
    ok(athena_check_bool(&chk, "flag", 1) == 1,
       "a bad boolean keeps the default");
    athena_check_string(&chk, "email", 1);

    ok(chk.message != NULL
       && strcmp(chk.message,
                 "[body.name] Invalid input: expected string, received "
                 "number; [body.flag] Invalid input: expected boolean, "
                 "received string; [body.email] Invalid input: expected "
                 "string, received undefined") == 0,
       "issues are joined in order, in zod's words");

    athena_check_init(&chk, a, NULL, "body");
    ok(!athena_check_object(&chk)
       && strcmp(chk.message, "[body] Invalid input: expected object, "
                              "received undefined") == 0,
       "a missing body is 'undefined'");

    /* both key styles of Athena's clients, and one-line header fields */
    athena_json_parse(a, mail_body, strlen(mail_body), 8, &v);
    ok(athena_check_aliases(a, v, aliases) == 0
       && strcmp(athena_json_get(v, "fromName")->string, "A") == 0
       && strcmp(athena_json_get(v, "fromAddress")->string, "x") == 0,
       "a snake_case key stands for its camelCase one, which wins");

    athena_check_init(&chk, a, v, "body");
    ok(athena_check_line(&chk, "subject", 1, 0, 100) == NULL
       && strstr(chk.message, "[body.subject] Invalid string: one line")
          != NULL, "a line break in a header field is refused");
    athena_check_init(&chk, a, v, "body");
    ok(athena_check_line(&chk, "fromName", 1, 0, 0) == NULL
       && strstr(chk.message, "<=0 characters") != NULL,
       "a header field over its length is refused");

    athena_arena_destroy(a);
}


static void
test_access(void)
{
    static const char *const  list_ban[] = { "list", "ban" };
    static const char *const  imp_admins[] = { "impersonate-admins" };
    static const char *const  revoke[] = { "revoke" };
    static const char *const  del[] = { "delete" };
    static const char *const  create[] = { "create" };
    static const char *const  read[] = { "read" };

    athena_permission_t  user_list_ban = { "user", list_ban, 2 };
    athena_permission_t  user_imp = { "user", imp_admins, 1 };
    athena_permission_t  both[] = { { "user", list_ban, 2 },
                                    { "session", revoke, 1 } };
    athena_permission_t  no_actions = { "user", list_ban, 0 };
    athena_permission_t  unknown = { "billing", list_ban, 1 };
    athena_permission_t  org_delete = { "organization", del, 1 };
    athena_permission_t  member_create = { "member", create, 1 };
    athena_permission_t  ac_read = { "ac", read, 1 };

    ok(athena_access_allows(&athena_admin_access, "admin", &user_list_ban, 1),
       "admin may list and ban users");
    ok(athena_access_allows(&athena_admin_access, "admin", both, 2),
       "admin passes two resources at once");
    ok(!athena_access_allows(&athena_admin_access, "admin", &user_imp, 1),
       "impersonate-admins is no default admin's");
    ok(!athena_access_allows(&athena_admin_access, "user", &user_list_ban, 1),
       "the user role has nothing");
    ok(!athena_access_allows(&athena_admin_access, NULL, &user_list_ban, 1),
       "no role reads as the default user role");
    ok(athena_access_allows(&athena_admin_access, "support,admin",
                            &user_list_ban, 1),
       "any one role of a list passes");
    ok(!athena_access_allows(&athena_admin_access, "support, admin",
                             &user_list_ban, 1),
       "the admin plugin does not trim role names");
    ok(!athena_access_allows(&athena_admin_access, "admin", &no_actions, 1)
       && !athena_access_allows(&athena_admin_access, "admin", &unknown, 1)
       && !athena_access_allows(&athena_admin_access, "admin", both, 0),
       "no actions, an unknown resource, an empty request: refused");

    ok(athena_access_allows(&athena_org_access, "owner", &org_delete, 1)
       && !athena_access_allows(&athena_org_access, "admin", &org_delete, 1),
       "organization:delete is the owner's alone");
    ok(athena_access_allows(&athena_org_access, "member , admin",
                            &member_create, 1),
       "the organization plugin trims role names");
    ok(athena_access_allows(&athena_org_access, "member", &ac_read, 1)
       && !athena_access_allows(&athena_org_access, "member",
                                &member_create, 1),
       "a member may only read access control");
    ok(!athena_access_allows(&athena_org_access, NULL, &ac_read, 1),
       "no membership, no permission");

    ok(athena_access_known(&athena_admin_access, "session", "delete")
       && !athena_access_known(&athena_admin_access, "session", "fly")
       && !athena_access_known(&athena_org_access, "user", "list"),
       "known actions are the statements'");

    ok(athena_roles_include("support,admin", "admin", 0)
       && !athena_roles_include("administrator", "admin", 0)
       && !athena_roles_include(NULL, "admin", 0),
       "a role list holds whole names");
}


/* a chunk of 256 bytes: every length lands before, at and past its end */

static int
test_arena_sprintf(void)
{
    int              good;
    char            *out[600], want[600];
    size_t           n;
    athena_arena_t  *a;

    a = athena_arena_create(256);
    good = 1;

    for (n = 0; n < 600; n++) {
        memset(want, 'a' + n % 26, n);
        want[n] = '\0';
        out[n] = athena_sprintf(a, "%s", want);
        good = good && out[n] != NULL;
    }

    for (n = 0; good && n < 600; n++) {
        memset(want, 'a' + n % 26, n);
        good = strlen(out[n]) == n && memcmp(out[n], want, n) == 0;
    }

    athena_arena_destroy(a);

    return good;
}


static void
test_arena(void)
{
    int              i, good;
    char            *big, *p;
    athena_arena_t  *a;

    a = athena_arena_create(256);
    good = 1;

    for (i = 0; i < 1000; i++) {
        p = athena_sprintf(a, "item-%d", i);
        good = good && p && strcmp(p + 5, athena_sprintf(a, "%d", i)) == 0;
    }

    big = athena_alloc(a, 100000);
    memset(big, 'x', 100000);
    p = athena_strdup(a, "after");

    ok(good && p && strcmp(p, "after") == 0,
       "small and large allocations coexist");
    ok(((size_t) athena_alloc(a, 3) & 15) == 0, "allocations are aligned");

    athena_arena_destroy(a);

    ok(test_arena_sprintf(), "formatted strings of every length up to past"
       " a chunk, formatted where they fit or in room of their own, stay"
       " intact");
}


/* the hand-written decimals against printf's, at the edges of int64 */

static void
test_buf_int(void)
{
    int              good;
    char             want[32];
    size_t           i;
    athena_buf_t     b;
    athena_arena_t  *a;

    static const int64_t  values[] = {
        0, 1, -1, 9, 10, 99, 100, 7200000, 3600000000LL, -42,
        INT64_MAX, INT64_MIN, INT64_MIN + 1
    };

    a = athena_arena_create(256);
    good = 1;

    for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        athena_buf_init(&b, a);
        athena_buf_add(&b, "n=", 2);
        athena_buf_int(&b, values[i]);

        snprintf(want, sizeof(want), "n=%lld", (long long) values[i]);
        good = good && !b.failed && strcmp(b.data, want) == 0
               && b.len == strlen(want);
    }

    ok(good, "athena_buf_int writes what printf does, INT64_MIN included");

    athena_arena_destroy(a);
}


/* Redis's protocol: an empty argument, bytes RESP must not look into */

static void
test_resp(void)
{
    size_t             n, lens[3];
    const char        *argv[3];
    static char        out[1100], big[1000];
    static const char  want[] =
        "*3\r\n$3\r\nSET\r\n$5\r\na\r\n\0b\r\n$0\r\n\r\n";
    static const char  head[] = "*2\r\n$3\r\nSET\r\n$1000\r\n";

    argv[0] = "SET";
    argv[1] = "a\r\n\0b";
    argv[2] = "";
    lens[0] = 3;
    lens[1] = 5;
    lens[2] = 0;

    n = athena_resp_put(out, 3, argv, lens);

    ok(n == sizeof(want) - 1 && memcmp(out, want, n) == 0
       && athena_resp_size(3, lens) >= n,
       "a command in RESP, as Redis reads it, within the room reckoned");

    memset(big, 'x', sizeof(big));
    argv[1] = big;
    lens[1] = sizeof(big);

    n = athena_resp_put(out, 2, argv, lens);

    ok(n == sizeof(head) - 1 + sizeof(big) + 2
       && n <= athena_resp_size(2, lens)
       && memcmp(out, head, sizeof(head) - 1) == 0
       && memcmp(out + n - 2, "\r\n", 2) == 0,
       "a long argument's length in four digits");
}


/* the hand-written digits against gmtime_r(), over the storable years */

static void
test_time_iso(void)
{
    int        same;
    char       iso[ATHENA_ISO_LEN + 1], want[64];
    time_t     sec;
    int64_t    ms, step;
    struct tm  tm;

    same = 1;
    step = 86399999LL * 7 + 12345;

    for (ms = ATHENA_TIME_MIN; ms <= ATHENA_TIME_MAX && same; ms += step) {
        sec = (time_t) (ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
        gmtime_r(&sec, &tm);
        snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, (int) (ms - (int64_t) sec * 1000));
        athena_time_iso(ms, iso);
        same = (strcmp(iso, want) == 0);
    }

    ok(same, "ISO times match gmtime_r() from year 1 to 9999");

    athena_time_iso(-1, iso);
    ok(strcmp(iso, "1969-12-31T23:59:59.999Z") == 0, "ISO time before 1970");
    athena_time_iso(951782400000LL, iso);
    ok(strcmp(iso, "2000-02-29T00:00:00.000Z") == 0, "ISO time, leap day");
    athena_time_iso(ATHENA_TIME_MIN, iso);
    ok(strcmp(iso, "0001-01-01T00:00:00.000Z") == 0, "ISO time, first");
    athena_time_iso(ATHENA_TIME_MAX, iso);
    ok(strcmp(iso, "9999-12-31T23:59:59.999Z") == 0, "ISO time, last");
}


/* times as Postgres writes them under DateStyle ISO */

static void
test_time_pg(void)
{
    int      same;
    char     iso[ATHENA_ISO_LEN + 1], pg[64];
    int64_t  ms, t;
    size_t   i;

    static const struct {
        const char  *text;
        int64_t      ms;
    } cases[] = {
        { "2023-11-14 22:13:20.123456+00", 1700000000123LL },
        { "2023-11-14 22:13:20.1+00", 1700000000100LL },
        { "2023-11-14 22:13:20+00", 1700000000000LL },
        { "2023-11-15 03:43:20.123+05:30", 1700000000123LL },
        { "2023-11-14 19:13:20.123999-03", 1700000000123LL },
        { "1969-12-31 23:59:59.9995+00", -1 },
        { "1969-12-31 23:59:59+00:00:01", -2000 },
        { "infinity", ATHENA_TIME_MAX },
        { "-infinity", ATHENA_TIME_MIN },
    };

    static const char *const  not_times[] = {
        "2023-11-14T22:13:20+00", "2023-11-14 22:13:20",
        "2023-11-14 22:13:20.+00",
        "2023-13-14 22:13:20+00", "12023-11-14 22:13:20+00",
        "2023-11-14 22:13:20+00 BC", "2023-11-14 22:13:20+0", "", NULL
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ok(athena_time_pg(cases[i].text, &ms) && ms == cases[i].ms,
           cases[i].text);
    }

    for (i = 0; not_times[i]; i++) {
        ok(!athena_time_pg(not_times[i], &ms), not_times[i]);
    }

    same = 1;

    for (t = ATHENA_TIME_MIN; t <= ATHENA_TIME_MAX && same;
         t += 86399999LL * 5 + 4321)
    {
        athena_time_iso(t, iso);
        snprintf(pg, sizeof(pg), "%.10s %.12s+00", iso, iso + 11);
        same = athena_time_pg(pg, &ms) && ms == t;
    }

    ok(same, "read back what athena_time_iso() wrote, from year 1 to 9999");
}


/* expected values from Node 20: new Date(Date.UTC(...)).toISOString() */

static void
test_time_revive(void)
{
    size_t   i;
    char     iso[ATHENA_ISO_LEN + 1];
    int64_t  ms;

    static const char *const  cases[][2] = {
        { "2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000Z" },
        { "2024-01-01T00:00:00+02:00", "2023-12-31T22:00:00.000Z" },
        { "2024-01-01T00:00:00.5-01:30", "2024-01-01T01:30:00.500Z" },
        { "2024-13-01T00:00:00Z", "2025-01-01T00:00:00.000Z" },
        { "2024-02-30T25:00:00Z", "2024-03-02T01:00:00.000Z" },
        { "0050-06-01T00:00:00Z", "1950-06-01T00:00:00.000Z" },
        { "2024-01-01T00:00:00.1234Z", "2024-01-01T00:00:01.234Z" },
    };

    static const char *const  not_dates[] = {
        "2024-01-01", "2024-01-01T00:00:00", "2024-01-01T00:00:00.12345678Z",
        "2024-01-01 00:00:00Z", "x2024-01-01T00:00:00Z",
        "2024-01-01T00:00:00+0200", NULL
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ms = 0;
        iso[0] = '\0';

        if (athena_time_revive(cases[i][0], &ms)) {
            athena_time_iso(ms, iso);
        }

        ok(strcmp(iso, cases[i][1]) == 0, cases[i][0]);
    }

    for (i = 0; not_dates[i]; i++) {
        ok(!athena_time_revive(not_dates[i], &ms), not_dates[i]);
    }
}


/* API keys: the hash vector is Python's base64url(hashlib.sha256(b"abc")) */

static void
test_apikey(void)
{
    int                   letters;
    char                  key[ATHENA_APIKEY_LEN + 1], *flat;
    char                  hash[ATHENA_APIKEY_HASH_LEN + 1];
    size_t                i;
    unsigned char         raw[ATHENA_SHA256_LEN], md[ATHENA_SHA256_LEN];
    athena_arena_t       *a;
    athena_json_t        *granted;

    static const char  perms[] =
        "{\"files\":[\"read\",\"write\"],\"users\":[\"read\"],"
        "\"a:b\":[\"c\"]}";

    static const char *const  read[] = { "read" };
    static const char *const  read_delete[] = { "read", "delete" };
    static const char *const  x[] = { "x" };

    static const athena_permission_t  files_read[] = { { "files", read, 1 } };
    static const athena_permission_t  files_users[] = {
        { "files", read, 1 }, { "users", read, 1 }
    };
    static const athena_permission_t  files_delete[] = {
        { "files", read_delete, 2 }
    };
    static const athena_permission_t  admin_x[] = { { "admin", x, 1 } };
    static const athena_permission_t  files_none[] = { { "files", read, 0 } };

    static const struct {
        const athena_permission_t  *want;
        size_t                      n;
        int                         ok;
        const char                 *name;
    } cases[] = {
        { files_read, 1, 1, "files:read is granted" },
        { files_users, 2, 1, "files:read and users:read are granted" },
        { files_delete, 1, 0, "files:read,delete is not (every action)" },
        { admin_x, 1, 0, "an unknown resource is not" },
        { files_read, 0, 0, "asking nothing grants nothing" },
        { files_none, 1, 0, "an empty action list grants nothing" },
    };

    athena_apikey_hash("abc", 3, hash);
    ok(strcmp(hash, "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0") == 0,
       "a key's hash is base64url(SHA-256) without padding");

    athena_sha256("abc", 3, md);
    ok(athena_apikey_hash_raw(hash, raw) == 0 && memcmp(raw, md, 32) == 0,
       "a stored hash decodes back to its digest");
    ok(athena_apikey_hash_raw("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa",
                              raw) != 0,
       "a hash one character short is none");
    ok(athena_apikey_hash_raw("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0",
                              raw) != 0,
       "a hash with '+' is none");

    ok(athena_apikey_generate(key, ATHENA_APIKEY_LEN) == 0
       && strlen(key) == ATHENA_APIKEY_LEN, "a key is 64 characters");

    letters = 1;
    for (i = 0; i < ATHENA_APIKEY_LEN; i++) {
        if (!((key[i] >= 'a' && key[i] <= 'z')
              || (key[i] >= 'A' && key[i] <= 'Z')))
        {
            letters = 0;
        }
    }
    ok(letters, "of letters only, as the plugin's");

    a = athena_arena_create(4096);

    ok(athena_json_parse(a, perms, strlen(perms), 8, &granted)
       == ATHENA_JSON_OK, "permissions parse");

    flat = athena_apikey_flatten(a, granted);
    ok(flat && strcmp(flat, "\nfiles:read\nfiles:write\nusers:read\n") == 0,
       "flattened, a name with ':' left out");

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ok(athena_apikey_permits(granted, cases[i].want, cases[i].n)
           == cases[i].ok, cases[i].name);
        ok(athena_apikey_flat_permits(flat, cases[i].want, cases[i].n)
           == cases[i].ok, cases[i].name);
    }

    ok(!athena_apikey_permits(NULL, files_read, 1)
       && !athena_apikey_flat_permits(NULL, files_read, 1),
       "a key without permissions grants none");

    athena_arena_destroy(a);
}


/* templates filled in: both placeholder spellings, escaping, the unknown */

static void
test_render(void)
{
    char            *out;
    size_t           i;
    athena_json_t   *vars;
    athena_arena_t  *a;

    static const char  json[] =
        "{\"name\":\"Ann <a@b>\",\"n\":3,\"ok\":true,\"none\":null,"
        "\"list\":[1]}";

    static const struct {
        const char  *tpl;
        int          html;
        const char  *want;
    } cases[] = {
        { "Hi {{name}}!", 0, "Hi Ann <a@b>!" },
        { "Hi {{ name }}!", 1, "Hi Ann &lt;a@b&gt;!" },
        { "{{n}} of {{ok}}, {{none}}.", 0, "3 of true, ." },
        { "{{unknown}} and {{ list }} stay", 0,
          "{{unknown}} and {{ list }} stay" },
        { "{{ na me }} {name} {{name} {{{name}}}", 0,
          "{{ na me }} {name} {{name} {Ann <a@b>}" },
        { "", 0, "" },
        { "{{name}}{{name}}", 1, "Ann &lt;a@b&gt;Ann &lt;a@b&gt;" },
    };

    a = athena_arena_create(1024);

    ok(athena_json_parse(a, json, strlen(json), 8, &vars) == ATHENA_JSON_OK,
       "render variables parse");

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        out = athena_render(a, cases[i].tpl, vars, cases[i].html);
        ok(out && strcmp(out, cases[i].want) == 0, cases[i].want);
    }

    ok(strcmp(athena_render(a, "x {{a}}", NULL, 0), "x {{a}}") == 0,
       "no variables: left as it is");

    athena_arena_destroy(a);
}


/* a mail as text: headers on single lines, a long UTF-8 subject folded */

static void
test_mime(void)
{
    int              bare;
    char            *msg;
    size_t           len, i, line, longest;
    athena_mime_t    m;
    athena_arena_t  *a;

    a = athena_arena_create(4096);

    memset(&m, 0, sizeof(athena_mime_t));
    m.from_address = "noreply@example.com";
    m.from_name = "A \"quoted\" name";
    m.to = "ann@example.com";
    m.subject = "\xc3\xa9t\xc3\xa9 \xc3\xa9t\xc3\xa9 \xc3\xa9t\xc3\xa9 "
                "\xc3\xa9t\xc3\xa9 \xc3\xa9t\xc3\xa9 \xc3\xa9t\xc3\xa9 "
                "\xc3\xa9t\xc3\xa9 \xc3\xa9t\xc3\xa9";
    m.text = "hello";
    m.message_id = "abc@example.com";
    m.date = 0;

    msg = athena_mime_build(a, &m, &len);
    ok(msg != NULL && len == strlen(msg), "a mail is built");
    ok(strstr(msg, "From: \"A \\\"quoted\\\" name\" <noreply@example.com>\r\n")
       != NULL, "a name is a quoted string");
    ok(strstr(msg, "Subject: =?UTF-8?B?") != NULL
       && strstr(msg, "?=\r\n =?UTF-8?B?") != NULL,
       "a long UTF-8 subject: encoded words, folded");
    ok(strstr(msg, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n") != NULL,
       "the date in RFC 5322 form");
    ok(strstr(msg, "Content-Type: text/html") == NULL,
       "no HTML part without an HTML body");

    bare = 0;
    longest = 0;
    line = 0;
    for (i = 0; i < len; i++) {
        if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r')) {
            bare = 1;
        }
        line = msg[i] == '\n' ? 0 : line + 1;
        longest = line > longest ? line : longest;
    }
    ok(!bare, "every line ends with CRLF");
    ok(longest <= 78, "no line over 78 characters");

    athena_arena_destroy(a);
}


static void
test_b64url(void)
{
    size_t         n;
    char           out[64];
    unsigned char  raw[64];

    n = athena_b64url_encode((const unsigned char *) "\xfb\xff", 2, out);
    ok(n == 3 && strcmp(out, "-_8") == 0, "base64url: its own alphabet");
    athena_b64url_encode((const unsigned char *) "any carnal pleas", 16, out);
    ok(strcmp(out, "YW55IGNhcm5hbCBwbGVhcw") == 0, "base64url: no padding");

    ok(athena_b64url_decode("YW55IGNhcm5hbCBwbGVhcw", 22, raw, &n) == 0
       && n == 16 && memcmp(raw, "any carnal pleas", 16) == 0,
       "base64url decodes what it encodes");
    ok(athena_b64url_decode("YW55IGNhcm5hbCBwbGVhcx", 22, raw, &n) != 0,
       "base64url: a text whose unused bits are not zero is refused");
    ok(athena_b64url_decode("YW55IGNhcm5hbCBwbGVhcw==", 24, raw, &n) != 0,
       "base64url: padding is refused");
    ok(athena_b64url_decode("YW55+GNh", 8, raw, &n) != 0,
       "base64url: '+' is refused");
    ok(athena_b64url_decode("YW55I", 5, raw, &n) != 0,
       "base64url: a length that no bytes make is refused");
    ok(athena_b64url_decode("", 0, raw, &n) == 0 && n == 0,
       "base64url: empty is empty");
}


/* RFC 8037 appendix A's key */
#define TEST_JWK_D  "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
#define TEST_JWK_X  "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"

static void
test_jwk(void)
{
    char              *sealed, *plain, *jwk;
    athena_arena_t    *a;
    athena_ed25519_t   k, k2;
    unsigned char      pk[ATHENA_ED25519_PK];

    a = athena_arena_create(4096);
    ok(athena_jwk_init() == 0, "libsodium starts");

    jwk = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"" TEST_JWK_D "\","
          "\"x\":\"" TEST_JWK_X "\"}";
    ok(athena_jwk_read_private(a, jwk, &k) == 0, "RFC 8037's private JWK");
    ok(strcmp(athena_jwk_public(a, k.pk),
              "{\"crv\":\"Ed25519\",\"x\":\"" TEST_JWK_X "\",\"kty\":\"OKP\"}")
       == 0, "its public JWK in jose's member order");
    ok(strcmp(athena_jwk_private(a, &k),
              "{\"crv\":\"Ed25519\",\"d\":\"" TEST_JWK_D "\",\"x\":\""
              TEST_JWK_X "\",\"kty\":\"OKP\"}") == 0,
       "its private JWK in jose's member order");
    ok(athena_jwk_read_public(a, athena_jwk_public(a, k.pk), pk) == 0
       && memcmp(pk, k.pk, sizeof(pk)) == 0, "a public JWK reads back");

    ok(athena_jwk_read_private(a, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
           "\"d\":\"" TEST_JWK_D "\",\"x\":\"" TEST_JWK_D "\"}", &k2) != 0,
       "a private JWK whose x is not its d's is refused");
    ok(athena_jwk_read_public(a, "{\"kty\":\"EC\",\"crv\":\"P-256\","
           "\"x\":\"" TEST_JWK_X "\"}", pk) != 0,
       "a key of another type is refused");
    ok(athena_jwk_read_public(a, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
           "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUR\"}", pk) != 0,
       "an x one character short is refused");

    sealed = athena_jwk_seal(a, "secret", 6, jwk);
    ok(sealed != NULL && sealed[0] == '"'
       && strlen(sealed) == 2 + 2 * (24 + strlen(jwk) + 16)
       && sealed[strlen(sealed) - 1] == '"',
       "sealed: nonce, ciphertext and tag in hex, as a JSON string");
    plain = athena_jwk_open(a, "secret", 6, sealed);
    ok(plain != NULL && strcmp(plain, jwk) == 0, "and opens with the secret");
    ok(athena_jwk_open(a, "secreT", 6, sealed) == NULL,
       "and not with another");
    ok(strcmp(sealed, athena_jwk_seal(a, "secret", 6, jwk)) != 0,
       "each seal has its own nonce");
    sealed[40] = sealed[40] == '0' ? '1' : '0';
    ok(athena_jwk_open(a, "secret", 6, sealed) == NULL,
       "a changed byte does not open");
    ok(athena_jwk_open(a, "secret", 6, jwk) == jwk,
       "a key stored in clear reads as it is");
    ok(athena_jwk_open(a, "secret", 6, "\"$ba$1$00\"") == NULL,
       "a versioned secret's seal is refused");

    athena_arena_destroy(a);
}


/* signed independently (Python's cryptography) with RFC 8037's key */
#define TEST_JWT                                                              \
    "eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1MSIsImV4cCI6NDEwMjQ0N"   \
    "DgwMCwiaXNzIjoiaHR0cDovL2xvY2FsaG9zdDozMDAwIiwiYXVkIjoiaHR0cDovL2xvY2"   \
    "FsaG9zdDozMDAwIn0.TCujkJBSHXV8wVyoHjQDGFNoLQWazcPDOmA5OovJkdSvJxRY8fsp"  \
    "hvsslWZiOKtDzHrO9_JSN-OnkoHMDlS9CQ"
#define TEST_ORIGIN  "http://localhost:3000"

static athena_jwt_rc_e
test_jwt_check(athena_arena_t *a, const char *token, const unsigned char *pk,
    int64_t now)
{
    athena_jwt_t     jwt;
    athena_jwt_rc_e  rc;

    rc = athena_jwt_parse(a, token, strlen(token), &jwt);
    if (rc == ATHENA_JWT_OK) {
        rc = athena_jwt_verify(&jwt, pk);
    }

    return rc == ATHENA_JWT_OK
           ? athena_jwt_claims(&jwt, now, TEST_ORIGIN, TEST_ORIGIN) : rc;
}


static char *
test_jwt_make(athena_arena_t *a, const athena_ed25519_t *k,
    const char *header, const char *payload)
{
    char  *h, *p;

    h = athena_alloc(a, ATHENA_B64URL_LEN(strlen(header)) + 1);
    p = athena_alloc(a, ATHENA_B64URL_LEN(strlen(payload)) + 1);
    athena_b64url_encode((const unsigned char *) header, strlen(header), h);
    athena_b64url_encode((const unsigned char *) payload, strlen(payload), p);

    /* signed with k as any signer would: only the header differs */
    return athena_sprintf(a, "%s.%s.%s", h, p,
               strrchr(athena_jwt_sign(a, "k1", k, payload, strlen(payload)),
                       '.') + 1);
}


static void
test_jwt(void)
{
    char              *tok, *bad;
    const char        *payload;
    athena_jwt_t       jwt;
    athena_arena_t    *a;
    athena_ed25519_t   k, other;

    a = athena_arena_create(4096);

    athena_jwk_read_private(a, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
                            "\"d\":\"" TEST_JWK_D "\",\"x\":\"" TEST_JWK_X
                            "\"}", &k);
    athena_jwk_generate(&other);

    payload = "{\"sub\":\"u1\",\"exp\":4102444800,\"iss\":\"" TEST_ORIGIN
              "\",\"aud\":\"" TEST_ORIGIN "\"}";
    tok = athena_jwt_sign(a, "k1", &k, payload, strlen(payload));
    ok(tok != NULL && strcmp(tok, TEST_JWT) == 0,
       "a JWT signs to what an independent signer makes");

    ok(athena_jwt_parse(a, TEST_JWT, strlen(TEST_JWT), &jwt) == ATHENA_JWT_OK
       && strcmp(jwt.kid, "k1") == 0 && strcmp(jwt.sub, "u1") == 0
       && jwt.exp == 4102444800LL, "and parses: kid, sub, exp");
    ok(test_jwt_check(a, TEST_JWT, k.pk, 1700000000) == ATHENA_JWT_OK,
       "and verifies, claims included");
    ok(test_jwt_check(a, TEST_JWT, other.pk, 1700000000)
       == ATHENA_JWT_SIGNATURE, "not with another key");
    ok(test_jwt_check(a, TEST_JWT, k.pk, 4102444800LL) == ATHENA_JWT_EXPIRED,
       "not once exp is reached");

    bad = athena_strdup(a, TEST_JWT);
    bad[40] = bad[40] == 'A' ? 'B' : 'A';
    ok(test_jwt_check(a, bad, k.pk, 1700000000) != ATHENA_JWT_OK,
       "a changed payload is refused");
    bad = athena_strndup(a, TEST_JWT, strlen(TEST_JWT) - 1);
    ok(test_jwt_check(a, bad, k.pk, 1700000000) == ATHENA_JWT_MALFORMED,
       "a truncated signature is refused");
    ok(test_jwt_check(a, athena_sprintf(a, "%s.", TEST_JWT), k.pk, 1700000000)
       == ATHENA_JWT_MALFORMED, "a fourth part is refused");
    ok(test_jwt_check(a, "a.b", k.pk, 1700000000) == ATHENA_JWT_MALFORMED,
       "two parts are refused");

    ok(test_jwt_check(a, test_jwt_make(a, &k, "{\"alg\":\"none\","
           "\"kid\":\"k1\"}", payload), k.pk, 1700000000) == ATHENA_JWT_ALG,
       "alg none is refused");
    ok(test_jwt_check(a, test_jwt_make(a, &k, "{\"alg\":\"HS256\","
           "\"kid\":\"k1\"}", payload), k.pk, 1700000000) == ATHENA_JWT_ALG,
       "a swapped alg is refused");
    ok(test_jwt_check(a, test_jwt_make(a, &k, "{\"alg\":\"EdDSA\"}",
           payload), k.pk, 1700000000) == ATHENA_JWT_MALFORMED,
       "a header without kid is refused");
    ok(test_jwt_check(a, test_jwt_make(a, &k, "{\"alg\":\"EdDSA\","
           "\"kid\":\"k1\",\"crit\":[\"b64\"]}", payload), k.pk, 1700000000)
       == ATHENA_JWT_MALFORMED, "a critical extension is refused");

    payload = "{\"sub\":\"u1\",\"iss\":\"" TEST_ORIGIN "\",\"aud\":\""
              TEST_ORIGIN "\"}";
    ok(test_jwt_check(a, athena_jwt_sign(a, "k1", &k, payload,
           strlen(payload)), k.pk, 1700000000) == ATHENA_JWT_EXPIRED,
       "a token with no exp is refused");
    payload = "{\"sub\":\"u1\",\"exp\":4102444800,\"nbf\":1800000000,\"iss\":\""
              TEST_ORIGIN "\",\"aud\":[\"x\",\"" TEST_ORIGIN "\"]}";
    tok = athena_jwt_sign(a, "k1", &k, payload, strlen(payload));
    ok(test_jwt_check(a, tok, k.pk, 1700000000) == ATHENA_JWT_EARLY,
       "a token before its nbf is refused");
    ok(test_jwt_check(a, tok, k.pk, 1800000000) == ATHENA_JWT_OK,
       "and taken from then on, aud as a list");
    payload = "{\"sub\":\"u1\",\"exp\":4102444800,\"iss\":\"http://evil\","
              "\"aud\":\"" TEST_ORIGIN "\"}";
    ok(test_jwt_check(a, athena_jwt_sign(a, "k1", &k, payload,
           strlen(payload)), k.pk, 1700000000) == ATHENA_JWT_ISSUER,
       "another issuer is refused");
    payload = "{\"sub\":\"u1\",\"exp\":4102444800,\"iss\":\"" TEST_ORIGIN
              "\",\"aud\":[\"x\"]}";
    ok(test_jwt_check(a, athena_jwt_sign(a, "k1", &k, payload,
           strlen(payload)), k.pk, 1700000000) == ATHENA_JWT_AUDIENCE,
       "another audience is refused");
    payload = "{\"exp\":4102444800,\"iss\":\"" TEST_ORIGIN "\",\"aud\":\""
              TEST_ORIGIN "\"}";
    ok(test_jwt_check(a, athena_jwt_sign(a, "k1", &k, payload,
           strlen(payload)), k.pk, 1700000000) == ATHENA_JWT_SUBJECT,
       "a token without sub is refused");
    payload = "{\"sub\":\"u1\",\"exp\":\"4102444800\",\"iss\":\"" TEST_ORIGIN
              "\",\"aud\":\"" TEST_ORIGIN "\"}";
    ok(test_jwt_check(a, athena_jwt_sign(a, "k1", &k, payload,
           strlen(payload)), k.pk, 1700000000) == ATHENA_JWT_MALFORMED,
       "an exp that is no number is refused");

    athena_arena_destroy(a);
}


static void
test_admin_role(void)
{
    char         out[128];
    const char  *list;

    list = "PARTNER_ADMIN:p1,SUPER_ADMIN@2000,TENANT_ADMIN:org1@5000,"
           "TENANT_ADMIN:org2";

    ok(athena_admin_role_holds(list, "SUPER_ADMIN", NULL, 0, 1000),
       "admin roles: a SUPER_ADMIN before its expiry");
    ok(!athena_admin_role_holds(list, "SUPER_ADMIN", NULL, 0, 2000),
       "admin roles: not at its expiry");
    ok(athena_admin_role_holds(list, "TENANT_ADMIN", "org1", 4, 4999)
       && !athena_admin_role_holds(list, "TENANT_ADMIN", "org1", 4, 5000),
       "admin roles: a tenant's admin in its tenant until it expires");
    ok(athena_admin_role_holds(list, "TENANT_ADMIN", "org2", 4, 9999),
       "admin roles: one that never expires");
    ok(!athena_admin_role_holds(list, "TENANT_ADMIN", "org3", 4, 0)
       && !athena_admin_role_holds(list, "TENANT_ADMIN", "org", 3, 0),
       "admin roles: no other tenant, nor a prefix of one");
    ok(!athena_admin_role_holds(list, "TENANT_ADMIN", NULL, 0, 0),
       "admin roles: a tenant's admin without a tenant holds nothing");
    ok(athena_admin_role_holds(list, "PARTNER_ADMIN", NULL, 0, 0)
       && athena_admin_role_holds(list, "PARTNER_ADMIN", "p1", 2, 0)
       && !athena_admin_role_holds(list, "PARTNER_ADMIN", "p2", 2, 0),
       "admin roles: a partner's admin, in any or its partner");
    ok(!athena_admin_role_holds("", "SUPER_ADMIN", NULL, 0, 0)
       && !athena_admin_role_holds("SUPER_ADMINX", "SUPER_ADMIN", NULL, 0, 0),
       "admin roles: none, and no prefix of a role");

    athena_admin_role_shown(list, 3000, out);
    ok(strcmp(out, "PARTNER_ADMIN:p1,TENANT_ADMIN:org1,TENANT_ADMIN:org2")
       == 0, "admin roles: the live ones, without expiries");
    athena_admin_role_shown("", 0, out);
    ok(out[0] == '\0', "admin roles: none live is empty");
}


/*
 * Cache notifications (migration 019): the digests are Postgres's
 * encode(sha256(...), 'hex') and Python's base64url of SHA-256("abc").
 */

static void
test_notice(void)
{
    size_t                 i, n;
    const char            *p, *end;
    athena_notice_item_t   it[8];
    unsigned char          tok1[ATHENA_SHA256_LEN], abc[ATHENA_SHA256_LEN];
    static const char      payload[] =
        "s:80b3ad2d438bfafa1ea690c5a59f54548dcc76ad6a839c6704ac1d9d565d9c80\n"
        "x:80b3ad2d438bfafa1ea690c5a59f54548dcc76ad6a839c6704ac1d9d565d9c80\n"
        "\n"
        "k:ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0\n"
        "m:org 1:user:2\n"
        "r:u1";
    static const char     *flushes[] = {
        "*",
        "s:80B3AD2D438BFAFA1EA690C5A59F54548DCC76AD6A839C6704AC1D9D565D9C80",
        "s:80b3ad2d438bfafa1ea690c5a59f54548dcc76ad6a839c6704ac1d9d565d9c8",
        "x:zz",
        "k:ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa1",
        "k:plaintext-key",
        "m:no-colon",
        "m:",
        "r:",
        "r:tab\there",
        "q:something new",
        "s",
        NULL
    };

    athena_sha256("tok1", 4, tok1);
    athena_sha256("abc", 3, abc);

    p = payload;
    end = payload + sizeof(payload) - 1;
    n = 0;

    while (n < 8 && athena_notice_next(&p, end, &it[n])) {
        n++;
    }

    ok(n == 5, "notice: five items, the empty line skipped");
    ok(it[0].type == ATHENA_NOTICE_SESSION
       && memcmp(it[0].digest, tok1, ATHENA_SHA256_LEN) == 0,
       "notice: s: is a session's SHA-256 from hex");
    ok(it[0].len == 64 && memcmp(it[0].value, "80b3", 4) == 0,
       "notice: s: keeps its hex for the Redis key");
    ok(it[1].type == ATHENA_NOTICE_ENDED
       && memcmp(it[1].digest, tok1, ATHENA_SHA256_LEN) == 0,
       "notice: x: is an ended session");
    ok(it[2].type == ATHENA_NOTICE_KEY
       && memcmp(it[2].digest, abc, ATHENA_SHA256_LEN) == 0
       && it[2].len == 43,
       "notice: k: is an API key's stored hash, and its digest");
    ok(it[3].type == ATHENA_NOTICE_MEMBER && it[3].len == 12
       && memcmp(it[3].value, "org 1:user:2", 12) == 0,
       "notice: m: names org:user as the cache's key does");
    ok(it[4].type == ATHENA_NOTICE_ROLES && it[4].len == 2
       && memcmp(it[4].value, "u1", 2) == 0,
       "notice: r: names the user, the last line without a newline");

    for (i = 0; flushes[i]; i++) {
        p = flushes[i];
        end = p + strlen(p);

        if (!athena_notice_next(&p, end, &it[0])
            || it[0].type != ATHENA_NOTICE_FLUSH)
        {
            break;
        }
    }

    ok(flushes[i] == NULL,
       "notice: \"*\", bad hex, upper case, a wrong key, an unknown kind:"
       " each a flush");

    p = "";
    ok(athena_notice_next(&p, p, &it[0]) == 0, "notice: nothing, no item");
}


/* scrypt against RFC 7914's test vectors (section 12), and its memory */

static void
test_scrypt(void)
{
    char                  hex[129];
    unsigned char         key[64];
    static const char    *empty =
        "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
        "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906";
    static const char    *nacl =
        "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
        "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640";
    static const char    *sodium =
        "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
        "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887";

    ok(athena_scrypt_kdf((const unsigned char *) "", 0,
                         (const unsigned char *) "", 0, 16, 1, 1, key, 64)
       == 0, "scrypt: N=16 r=1 p=1");
    athena_hex(key, 64, hex);
    ok(strcmp(hex, empty) == 0, "scrypt: RFC 7914 vector 1");

    ok(athena_scrypt_kdf((const unsigned char *) "password", 8,
                         (const unsigned char *) "NaCl", 4, 1024, 8, 16,
                         key, 64)
       == 0, "scrypt: N=1024 r=8 p=16");
    athena_hex(key, 64, hex);
    ok(strcmp(hex, nacl) == 0, "scrypt: RFC 7914 vector 2");

    ok(athena_scrypt_kdf((const unsigned char *) "pleaseletmein", 13,
                         (const unsigned char *) "SodiumChloride", 14,
                         16384, 8, 1, key, 64)
       == 0, "scrypt: N=16384 r=8 p=1");
    athena_hex(key, 64, hex);
    ok(strcmp(hex, sodium) == 0, "scrypt: RFC 7914 vector 3");

    ok(athena_scrypt_kdf((const unsigned char *) "x", 1,
                         (const unsigned char *) "y", 1, 1000, 8, 1, key, 64)
       == -1, "scrypt: N not a power of two is refused");

    ok(athena_scrypt_release(60000) >= 1,
       "scrypt: the work memory is kept after a hash");
    ok(athena_scrypt_release(0) == 0, "scrypt: and given back when idle");
}


int
main(void)
{
    test_access();
    test_admin_role();
    test_mime();
    test_notice();
    test_scrypt();
    test_render();
    test_apikey();
    test_b64url();
    test_jwk();
    test_jwt();
    test_arena();
    test_buf_int();
    test_resp();
    test_check();
    test_crypto();
    test_json();
    test_text();
    test_window();
    test_json_text();
    test_time_iso();
    test_time_pg();
    test_time_revive();

    printf("1..%d\n", tests);

    return failed ? 1 : 0;
}
