/* notify-secret.h: the secrets of notifiers (SMTP password, webhook key), read when a delivery
 * needs them, from a file named in the configuration or from a systemd credential
 * ($CREDENTIALS_DIRECTORY/<name>). Never logged: errors name where we looked, not what we found. */
#pragma once

#include <stddef.h>

#define SECRET_MAX 4096

/* Exactly one of file and credential is set. One trailing newline (LF or CRLF) is dropped; an
 * empty secret is an error. Free with secret_free(). */
int notify_read_secret(const char *file, const char *credential, char **ret, char *err,
                       size_t errlen);
/* Overwrites and frees; returns NULL. */
char *secret_free(char *s);
