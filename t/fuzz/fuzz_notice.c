/*
 * The cache notifications' reader (athena_notice_next) over the input's
 * bytes alone: one item per non-empty line, in order; an item's value
 * lies inside its line; a session's hex and a key's hash read back to the
 * digest given; what is not read as a change is a flush, never skipped.
 */

#include "fuzz.h"
#include "../../src/core/athena_apikey.h"
#include "../../src/core/athena_notice.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                   hex[2 * ATHENA_SHA256_LEN + 1];
    char                  *in, *line_end;
    size_t                 lines, items, i;
    const char            *p, *end, *line;
    athena_notice_item_t   it;

    in = fuzz_copy(data, size);
    end = in + size;

    lines = 0;
    for (line = in; line < end; line = line_end + 1) {
        line_end = memchr(line, '\n', (size_t) (end - line));
        if (line_end == NULL) {
            line_end = (char *) end;
        }
        lines += line_end > line;
    }

    items = 0;
    p = in;

    while (athena_notice_next(&p, end, &it)) {
        items++;
        fuzz_check(p <= end);

        if (it.type == ATHENA_NOTICE_FLUSH) {
            continue;
        }

        fuzz_check(it.value > in && it.value + it.len <= end);
        fuzz_check(memchr(it.value, '\n', it.len) == NULL);

        switch (it.type) {

        case ATHENA_NOTICE_SESSION:
        case ATHENA_NOTICE_ENDED:
            athena_hex(it.digest, ATHENA_SHA256_LEN, hex);
            fuzz_check(it.len == 2 * ATHENA_SHA256_LEN
                       && memcmp(hex, it.value, it.len) == 0);
            break;

        case ATHENA_NOTICE_KEY:
            fuzz_check(it.len == ATHENA_APIKEY_HASH_LEN);
            break;

        case ATHENA_NOTICE_MEMBER:
            fuzz_check(memchr(it.value, ':', it.len) != NULL);
            /* fall through */

        default:
            for (i = 0; i < it.len; i++) {
                fuzz_check((unsigned char) it.value[i] >= 0x20
                           && it.value[i] != 0x7f);
            }
        }
    }

    fuzz_check(p == end || size == 0);
    fuzz_check(items == lines);

    free(in);

    return 0;
}
