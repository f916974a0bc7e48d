/*
 * Shared by Athena's email routes (see athena_mail_input.c).
 */

#ifndef ATHENA_MAIL_H
#define ATHENA_MAIL_H

#include "../athena_api.h"
#include "../../store/athena_email_store.h"
#include "../../store/athena_email_template_store.h"


#define ATHENA_MAIL_ADDRESS_MAX   254      /* RFC 5321 */
#define ATHENA_MAIL_SUBJECT_MAX   998      /* RFC 5322: one line */
#define ATHENA_MAIL_NAME_MAX      256
#define ATHENA_MAIL_PROVIDER_MAX  64
#define ATHENA_MAIL_FLOW_MAX      128


int athena_mail_body(athena_ctx_t *ctx, athena_check_t *chk,
    const char *const *aliases);
const char *athena_mail_address(athena_check_t *chk, const char *field,
    int required);
const char *athena_mail_text(athena_check_t *chk, const char *field,
    int *given);
const char *athena_mail_line(athena_check_t *chk, const char *field,
    size_t max, int *given);
const char *athena_mail_required(athena_check_t *chk, const char *field,
    int required, size_t max);

athena_store_rc_e athena_mail_queue(athena_ctx_t *ctx, athena_email_t *e,
    const char *user_id);
athena_store_rc_e athena_mail_event(athena_ctx_t *ctx, const char *event,
    const char *const *locales, const athena_json_t *vars,
    const char *recipient, const char *user_id, const char *metadata,
    int *queued);
const char *athena_mail_missing(athena_ctx_t *ctx, const char *names,
    const athena_json_t *vars);
athena_store_rc_e athena_mail_invitation(athena_ctx_t *ctx,
    const char *org_name, const char *inv_id, const char *email,
    const char *role);


#endif /* ATHENA_MAIL_H */
